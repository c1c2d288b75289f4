/** The cookie the web page keeps the service's token in (read by exposure.ts, set by web/client.ts). */
export const TOKEN_COOKIE = 'sadsl_token';
