import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface HostPort {
  host: string;
  port: number;
}

/** Parses "127.0.0.1:8080", ":8080" or "8080"; the host defaults to 127.0.0.1. */
export function parseHostPort(text: string): HostPort | Error {
  const match = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) return new Error(`"${text}" is not an address; use HOST:PORT, for example 127.0.0.1:8080`);
  const host = match[1] ? match[1].replace(/^\[|\]$/g, "") : "127.0.0.1";
  return { host, port };
}

/** The address cannot be listened on: taken, not allowed, or not this machine's; the message says what to do. */
export class CannotListen extends Error {
  override name = "CannotListen";
}

/** Something else listens on the address already. */
export class AddressInUse extends CannotListen {
  override name = "AddressInUse";
}

/** Starts listening, turning the usual failures into messages that say what to do. */
export function listen(server: Server, { host, port }: HostPort): Promise<HostPort> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (error.code === "EADDRINUSE") {
        reject(new AddressInUse(`${host}:${port} is already in use; stop what is listening there or choose another port`));
      } else if (error.code === "EACCES") {
        reject(new CannotListen(`not allowed to listen on ${host}:${port}; choose a port above 1023`));
      } else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
        reject(new CannotListen(`${host} is not an address of this machine; use 127.0.0.1 or 0.0.0.0`));
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off("error", onError);
      const address = server.address() as AddressInfo;
      resolve({ host, port: address.port });
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
