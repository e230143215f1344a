// Signs a delivery the way each sender's own library does, for the HTTP route tests: reads
// {"provider", "secret", "payload", "id"?, "timestamp"?} as JSON on stdin and prints the
// headers to send as a JSON object. GitHub: @octokit/webhooks; Stripe: the stripe package's
// test header; Standard Webhooks: the standardwebhooks reference library.
import { Webhooks } from "@octokit/webhooks";
import Stripe from "stripe";
import { Webhook } from "standardwebhooks";

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (d) => { text += d; });
  process.stdin.on("end", () => resolve(text));
}));
const { provider, secret, payload } = input;
const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
let headers;
if (provider === "github") {
  const webhooks = new Webhooks({ secret });
  headers = { "X-Hub-Signature-256": await webhooks.sign(payload),
              "X-GitHub-Event": "push", "X-GitHub-Delivery": input.id ?? "d-1" };
} else if (provider === "stripe") {
  const stripe = new Stripe("sk_test_unused");
  headers = { "Stripe-Signature": stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }) };
} else if (provider === "standard_webhooks") {
  const id = input.id ?? "msg_1";
  const signature = new Webhook(secret).sign(id, new Date(timestamp * 1000), payload);
  headers = { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signature };
} else {
  throw new Error(`no signer for ${provider}`);
}
process.stdout.write(JSON.stringify(headers));
