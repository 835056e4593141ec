// SPDX-License-Identifier: GPL-2.0-or-later
// Pure address arithmetic: parsing, canonical forms, prefixes and broadcasts. No system access.
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export type ParsedIp = { readonly family: Family; readonly address: string };

/** The family and canonical text of an address, or a problem naming what is wrong with it. */
export function parseIp(raw: string): ParsedIp | { readonly problem: string } {
  const text = raw.trim();
  if (text.includes(':')) {
    if (text.includes('%') || !isIPv6(text)) return { problem: `\`${raw}\` is not an IPv6 address` };
    const address = canonicalIPv6(text);
    if (address === '::' || address === '::1') return { problem: `\`${raw}\` cannot be a service address` };
    if (address.startsWith('ff')) return { problem: `\`${raw}\` is a multicast address` };
    return { family: 6, address };
  }
  // Node rejects leading zeros, which some tools read as octal.
  if (!isIPv4(text)) return { problem: `\`${raw}\` is not an IPv4 address` };
  const first = Number(text.split('.')[0]);
  if (first === 0) return { problem: `\`${raw}\` is in 0.0.0.0/8, which cannot be a service address` };
  if (first >= 224) return { problem: `\`${raw}\` is a multicast or reserved address` };
  return { family: 4, address: text };
}

export function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function intToIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Eight 16-bit groups of an IPv6 address (valid input only), an embedded IPv4 tail included. */
export function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = ipv4ToInt(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (of two or more) of zero groups as `::`. */
export function canonicalIPv6(address: string): string {
  const groups = ipv6Groups(address);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export const maxPrefix = (family: Family): number => (family === 4 ? 32 : 128);

/**
 * cidr_netmask as a prefix length. heartbeat accepts 1..32 (1..128 for IPv6) and, for IPv4, a dotted-quad mask,
 * which it converts with a warning; so do we (`dotted` tells the caller to warn).
 */
export function parsePrefix(raw: string, family: Family): { prefix: number; dotted: boolean } | { problem: string } {
  const text = raw.trim();
  if (/^\d{1,3}$/.test(text)) {
    const prefix = Number(text);
    if (prefix >= 1 && prefix <= maxPrefix(family)) return { prefix, dotted: false };
    return { problem: `cidr_netmask \`${raw}\` is out of range 1..${maxPrefix(family)} for an IPv${family} address` };
  }
  if (family === 4 && isIPv4(text)) {
    const mask = ipv4ToInt(text);
    for (let prefix = 1; prefix <= 32; prefix++) {
      if (mask === 2 ** 32 - 2 ** (32 - prefix)) return { prefix, dotted: true };
    }
  }
  return { problem: `cidr_netmask \`${raw}\` is not a prefix length${family === 4 ? ' or a netmask' : ''}` };
}

/** The network number of an IPv4 address under a prefix. */
export function ipv4Network(address: string, prefix: number): number {
  const size = 2 ** (32 - prefix);
  return Math.floor(ipv4ToInt(address) / size) * size;
}

/** The all-ones broadcast of ip/prefix; none for /31 and /32, which have no broadcast address (RFC 3021). */
export function computedBroadcast(address: string, prefix: number): string | undefined {
  if (prefix > 30) return undefined;
  return intToIPv4(ipv4Network(address, prefix) + 2 ** (32 - prefix) - 1);
}

/** Whether two addresses of one family share the network of the given prefix. */
export function sameNetwork(family: Family, a: string, b: string, prefix: number): boolean {
  if (family === 4) return ipv4Network(a, prefix) === ipv4Network(b, prefix);
  const ga = ipv6Groups(a);
  const gb = ipv6Groups(b);
  for (let bit = 0; bit < prefix; bit += 16) {
    const i = bit / 16;
    const width = Math.min(16, prefix - bit);
    const shift = 16 - width;
    if ((ga[i] ?? 0) >> shift !== (gb[i] ?? 0) >> shift) return false;
  }
  return true;
}

/** Whether the text is an address of the given family in canonical form equal to `address`. */
export function sameAddress(family: Family, text: string, address: string): boolean {
  if (family === 4) return text === address;
  return isIPv6(text) && canonicalIPv6(text) === address;
}
