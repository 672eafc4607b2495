export { createApiClient, expectData, normalizeServerUrl, problemError, type ApiClient, type Schemas } from "./api-client.js";
export { configPath, readStoredLogin, removeLogin, saveLogin, type StoredLogin } from "./config.js";
export { clientCommand, connectClient, NOT_LOGGED_IN, tokenTeam, withConnectionOptions, type Connection, type ConnectionFlags } from "./connection.js";
