import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { ApiError } from "./errors";

/** Hono's zod validator, answering the contract's `400 BAD_REQUEST` naming the offending field. */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue?.path.length ? issue.path.join(".") : "body";
      throw new ApiError("BAD_REQUEST", `${field}: ${issue?.message ?? "invalid"}`);
    }
  });
}
