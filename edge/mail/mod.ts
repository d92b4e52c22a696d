/** The mailing subsystem shared by IdCloud and RegCloud. */
export { enqueueMail, isMailAddress, MailAddressError, type MailMessage } from "./outbox.ts";
export { createTransport, MailSendError, type MailTransport, type MailTransportConfig } from "./transport.ts";
export { deliverDue, MAX_ATTEMPTS, retryDelayMs } from "./delivery.ts";
export { type MailTemplate, renderMail } from "./templates.ts";
