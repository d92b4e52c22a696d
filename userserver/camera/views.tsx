/** The Camera page: take or pick photos; the queue with progress, pause and retry. */
import { type Notice, Notices } from "../web/notices.tsx";
import { Places } from "../files/views.tsx";

export function CameraPage(
  { folderId, folderName, notices }: {
    folderId: string;
    folderName: string;
    notices: Notice;
  },
) {
  return (
    <>
      <script src="/_static/camera.js" type="module"></script>
      <Places current="/camera" />
      <section class="card cam" data-camera-folder={folderId}>
        <h1>Camera uploads</h1>
        <Notices {...notices} />
        <p>
          Photos and videos go to <a href={`/browse/${folderId}`}>{folderName}</a>{" "}
          on your own server. Ones it already has are skipped, so choosing the same photos again sends
          nothing.
        </p>
        <div class="row cam-pick">
          <label class="button" for="cam-take">Take a photo</label>
          <input
            id="cam-take"
            class="sr-only"
            type="file"
            accept="image/*,video/*"
            capture="environment"
            data-cam-input
          />
          <label class="button secondary" for="cam-pick">Choose from the gallery</label>
          <input id="cam-pick" class="sr-only" type="file" accept="image/*,video/*" multiple data-cam-input />
          <button type="button" class="secondary" data-cam-pause hidden>Pause</button>
        </div>
        <p class="muted small" data-cam-platform>
          Keep this page open while uploads run: on iPhone, uploads stop when the browser is in the
          background. A stopped upload continues where it was when you choose the same photos again.
        </p>
        <p role="status" aria-live="polite" data-cam-summary></p>
        <ol class="cam-queue" data-cam-queue aria-label="Uploads"></ol>
      </section>
    </>
  );
}
