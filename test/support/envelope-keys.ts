// Test-only keys, those of the Go-made envelope vectors (docs/format/backups.md §5). Never use them
// for data.

/** RSA-1024, PKCS#1, unencrypted. */
export const TEST_RSA_KEY = `-----BEGIN RSA PRIVATE KEY-----
MIICWwIBAAKBgQDDGOoStxQUdfhCMRRqkwYZCXL9l94yKT/krSk/Py5bIjLARghY
Xe3oYPfP5f+NqZC4M1glU1M0zN0Zp5gN6KNctn47XLcuemj3gQzZO17if5zi1EMP
zP6zU2PAl3eA3hjk/KKmuswvljLlKxO2Yct5CMTuttNOsyG7kUkRK6HpnQIDAQAB
AoGALmIU/GAUYQzu+eWrQe80au1pLktV4z0VWKume8fsoHQP9tBvmXqzXiT3pbC7
whVHN9PVKAKYbJwsELZcmyns9GoI7AgAqCBzzd6WBw2KmYEf3++Nn+UJjnzn4tuo
bOEi1REp+AAva6V/0YwYlyJDsQ+6n6Z92HIJgURDLelsNa0CQQD3gXVItDYSLoig
esT2pd6CPJxyusnYINdcZhsauiU8stCPIiIwxi8ofziEqOicLqPgsDdbYulVJztj
+qnyvO33AkEAycsBYFGi5vj0BY6NdxZSg7hbSijF7/q8KiYE/MrjPJZdcaRRC05p
ogIYZrLH8Qpqy+mMNZvBqGiP41zb5m3QCwJATGZz07t9LWOb3R3IivJsmvsmt+uc
vtB0ahtCpp9rOy9fXa+FqlSi3fdXdOvG0d87yvHaRKVlrVls5dHMgBd9xQJACJsi
zOPOacFWTuJcgCawkDONmSUSBAESg02pysowVMYo6A7U8gF/GcyzE7YuNsZ19YpZ
U3P4F2GWOWEdc79dLwJAFuuarKU1jvQ6CydvBirKZDhbZBvMpttTQGk/oLwkCoTG
jNPg7g7iSbxjxLHl6beavgfmEZ12adU705Sur5KJcA==
-----END RSA PRIVATE KEY-----
`;

/** V6: the same key, legacy PEM encryption (AES-256-CBC), passphrase "jfs-passphrase". */
export const TEST_RSA_KEY_LEGACY = `-----BEGIN RSA PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: AES-256-CBC,000102030405060708090a0b0c0d0e0f

r6dkHmPKX+vxFzhwLl8E4CC/jhk76rYY3HzhrPRlTfefJxWQnUoFU1+iPKFjd8Vs
rHzyeNL6q6b/51K94sETlYfDszWewjbrb1luWGO/MaWtoX6+bFQ3ybO/H8AgYgCp
JsnuhpPW/ig3EdNwza3nDR7GAJV7EI0OvFZ+6KLrDlkkPrMNfC4cnpAXSk9ouSCF
KSTaNXqR8Z36pekykWFirvFNM73gM1ZZYrcd8tXBviXnjxdEepLiTXZVfCTcMs+3
UKE3i+HVgWJHb5wVKt1QwzHU73SRVqmA9pEwyLAXKGshAnYHGnRjHYnk20hYpo/u
Y9Ryalxkhk21+LxMIG42Fal/Zx1pLBzVGpAF0lgA2+2/0kbb8yqsn6hDU5F4aEWq
dEz14/Ba1Bhe/ttGSNXx7ufEqSd4XHjGHCam6pErJlkA2ewbdjQ+IIto63v31AHt
BP3NjRaQxvtGkoLP5IiaGZJCd3HlQkj4nXz2dv/wSr5sI4TlXsIE+oo3xIiXJUeN
sBRV79bue91//yfk6KpltMoe9lDnT/kV0fwf3kZEYxfqLYbJeFPpOvx0A5RCwAsa
RUcRHDqcdcVpPYxCzmwWQL+tTaWHkzu2NzXhoFjpPLLoJmoeO9odv6MtuLH5Arlh
9HryDAZ+ugJunWcU39Al8lCOQGlaTbLIMsl6Lu3qnorjPmhi06dKUZSM8X5BCWu2
4d+R6gDdlzaZ04Y/YZSFm8WG4SyWjaIC5ObG2y7ptx0BOBVSPrEwmDoZipQqhODX
+XDGVNo0roPhVsRiVLc4zJCJrOm3uZWLDhhS6zlqe7g=
-----END RSA PRIVATE KEY-----
`;

export const TEST_PASSPHRASE = "jfs-passphrase";

/** The deterministic random source of the vectors: 00 01 02 … (mod 256), restarted per vector. */
export function countingRandom(): (n: number) => Buffer {
  let next = 0;
  return (n: number) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = next++ & 0xff;
    return b;
  };
}
