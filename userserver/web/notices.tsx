/** What an action said on the page it returned to: the error (an alert) and the success (a status). */
export interface Notice {
  ok?: string;
  error?: string;
}

export function Notices({ ok, error }: Notice) {
  return (
    <>
      {error ? <p class="notice error" role="alert">{error}</p> : ""}
      {ok ? <p class="notice ok" role="status">{ok}</p> : ""}
    </>
  );
}
