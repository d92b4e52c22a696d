/** The plain page frame for pages without the shell (landing pages, setup): the shared card page. */
import type { Child } from "hono/jsx";
import { CardPage } from "../../shared/ui/card_page.tsx";

export function Layout({ title, wide, children }: { title: string; wide?: boolean; children: Child }) {
  return <CardPage title={title} documentTitle={title} wide={wide}>{children}</CardPage>;
}
