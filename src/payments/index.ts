/** Which provider serves a payment: the configured one for new checkouts, the payment's own after. */
import { isProviderName, type PaymentProvider, type ProviderName, ProviderUnavailable } from "./provider";
import { sandbox } from "./sandbox";
import { stripeProvider } from "./stripe";

export function providerFor(env: Env, name: ProviderName): PaymentProvider {
  if (name === "sandbox") return sandbox;
  return stripeProvider({
    secretKey: env.STRIPE_SECRET_KEY,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    apiUrl: env.STRIPE_API_URL,
  });
}

/** `PAYMENT_PROVIDER`: the provider new checkouts open with. A name catraca does not know opens none. */
export function configuredProvider(env: Env): PaymentProvider {
  const name: string = env.PAYMENT_PROVIDER;
  if (!isProviderName(name)) throw new ProviderUnavailable(`PAYMENT_PROVIDER "${name}" is not sandbox or stripe`);
  return providerFor(env, name);
}
