import net from 'node:net';

export interface PortClaim {
  port: number;
  host: string;
  /** What would listen there, and the variable that moves it: said to the user when the port is taken. */
  what: string;
  envVar: string;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Checks every port before anything starts, so a second copy fails with one clear line and leaves nothing behind. */
export async function assertPortsFree(claims: PortClaim[]): Promise<void> {
  for (const claim of claims) {
    if (claim.port === 0) continue;
    if (!(await isFree(claim.port, claim.host))) {
      throw new PortInUseError(
        `${claim.what} port ${claim.port} on ${claim.host} is already in use (is Billing Center already running?). ` +
          `Stop the other process or set ${claim.envVar}.`,
      );
    }
  }
}

/**
 * The URL a local client reaches a listening HTTP server at: its actual port (0 asks for a free one) on the
 * host it listens on, or on loopback when it listens on every interface.
 */
export function listeningUrl(server: { address(): string | { port: number } | null }, host: string, port: number): string {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${local.includes(':') ? `[${local}]` : local}:${actualPort}`;
}
