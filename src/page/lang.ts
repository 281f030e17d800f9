/** The language of a request: the fan's choice (the toggle's cookie), else Accept-Language, else pt-BR. */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { isLang, LANG_COOKIE, type Lang, negotiateLang } from "./i18n";

export function requestLang(c: Context): Lang {
  const chosen = getCookie(c, LANG_COOKIE);
  return isLang(chosen) ? chosen : negotiateLang(c.req.header("accept-language"));
}
