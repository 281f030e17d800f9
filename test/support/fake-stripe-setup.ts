/** Vitest global setup for the Stripe project: start the fake of Stripe's API, hand its port on. */
import type { TestProject } from "vitest/node";
import { FakeStripe } from "./fake-stripe.ts";

/** The secret key the Worker under test is given, and the only one the fake accepts. */
export const FAKE_STRIPE_KEY = "sk_test_catraca_fake_0123456789";

declare module "vitest" {
  interface ProvidedContext {
    fakeStripePort: number;
  }
}

export default async function setup(project: TestProject) {
  const fake = new FakeStripe(FAKE_STRIPE_KEY);
  project.provide("fakeStripePort", await fake.start());
  return () => fake.stop();
}
