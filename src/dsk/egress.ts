import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Where the service may POST an instance's events. Any instance chooses its events URL, and the
 * worker POSTs there with a fresh service JWT, so without a policy the URL is a way into the
 * service's own network: cloud metadata, databases, admin ports. Refused always: link-local and the
 * cloud metadata addresses, multicast, "this network". Refused unless allow-listed
 * (`DSK_EGRESS_ALLOW`): loopback, private, unique-local, CGNAT and other special-use ranges. The check
 * runs on the address actually connected to, after DNS resolution (so a name that resolves, or
 * later re-resolves, to such an address is refused just the same).
 */
export interface EgressPolicy {
  /** Why an address may not be connected to; undefined when it may. */
  refusal(address: string): EgressRefusal | undefined;
  /** A `lookup` for http(s).request that resolves a name and fails on any refused address. */
  lookup: LookupFunction;
}

export type EgressRefusal = 'link_local_or_metadata' | 'non_public';

/** Thrown by the policy's lookup; the message names no address (it may reach an instance). */
export class EgressRefusedError extends Error {
  constructor(readonly refusal: EgressRefusal) {
    super(`destination refused by the egress policy (${refusal})`);
    this.name = 'EgressRefusedError';
  }
}

const ALWAYS_REFUSED: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['169.254.0.0', 16, 'ipv4'], // link-local, AWS/GCP/Azure metadata at 169.254.169.254
  ['100.100.100.200', 32, 'ipv4'], // Alibaba Cloud metadata
  ['0.0.0.0', 8, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['fe80::', 10, 'ipv6'],
  ['fd00:ec2::254', 128, 'ipv6'], // AWS metadata over IPv6
  ['ff00::', 8, 'ipv6'],
  ['::', 128, 'ipv6'],
];

const NON_PUBLIC: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['127.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // CGNAT
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'], // unique-local
  ['64:ff9b::', 96, 'ipv6'], // NAT64: reaches IPv4 addresses we cannot see
  ['2001:db8::', 32, 'ipv6'],
];

function blockList(ranges: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']>): BlockList {
  const list = new BlockList();
  for (const [address, prefix, family] of ranges) list.addSubnet(address, prefix, family);
  return list;
}

/** `a.b.c.d/n` or `x::y/n` (a bare address is one host); throws on anything else. */
export function parseCidr(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', prefixText] = entry.trim().split('/');
  const version = isIP(address);
  if (version === 0) throw new Error('not an IP address or CIDR range');
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) throw new Error('bad prefix length');
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is judged as the IPv4 address it reaches. */
function normalize(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const unbracketed = address.replace(/^\[(.*)\]$/, '$1');
  const version = isIP(unbracketed);
  if (version === 4) return { address: unbracketed, family: 'ipv4' };
  if (version !== 6) return undefined;
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(unbracketed) ?? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(unbracketed);
  if (mapped?.[1] && isIP(mapped[1]) === 4) return { address: mapped[1], family: 'ipv4' };
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(unbracketed);
  if (hexMapped?.[1] && hexMapped[2]) {
    const hi = parseInt(hexMapped[1], 16);
    const lo = parseInt(hexMapped[2], 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  return { address: unbracketed, family: 'ipv6' };
}

/** The policy for the given allow-list (CIDR strings; link-local and metadata stay refused even if listed). */
export function createEgressPolicy(allow: readonly string[], resolve: typeof dnsLookup = dnsLookup): EgressPolicy {
  const always = blockList(ALWAYS_REFUSED);
  const nonPublic = blockList(NON_PUBLIC);
  const allowed = new BlockList();
  for (const entry of allow) {
    const { address, prefix, family } = parseCidr(entry);
    allowed.addSubnet(address, prefix, family);
  }

  function refusal(address: string): EgressRefusal | undefined {
    const ip = normalize(address);
    if (!ip) return 'non_public';
    if (always.check(ip.address, ip.family)) return 'link_local_or_metadata';
    if (nonPublic.check(ip.address, ip.family) && !allowed.check(ip.address, ip.family)) return 'non_public';
    return undefined;
  }

  const lookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      // One refused address refuses the name: a name must not mix public and internal answers.
      const refused = addresses.map((a) => refusal(a.address)).find((r) => r !== undefined);
      if (refused || addresses.length === 0) return callback(new EgressRefusedError(refused ?? 'non_public'), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };

  return { refusal, lookup };
}

/**
 * The check at `PUT /v1/instance`, so a bad URL is refused with a clear 422 at once: the host, if an
 * address, must pass; a name must resolve only to addresses that pass (one that does not resolve yet
 * is accepted: delivery checks again at every connection).
 */
export async function checkEventsUrl(policy: EgressPolicy, url: string, timeoutMs = 2_000): Promise<EgressRefusal | undefined> {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) return policy.refusal(host);
  return new Promise((resolve) => {
    // A slow resolver must not hold DSK's request: the delivery checks again anyway.
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    policy.lookup(host, { all: true }, (err) => {
      clearTimeout(timer);
      resolve(err instanceof EgressRefusedError ? err.refusal : undefined);
    });
  });
}
