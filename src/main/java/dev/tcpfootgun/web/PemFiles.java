package dev.tcpfootgun.web;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificates and private keys, read with the JDK's own CertificateFactory and KeyFactory.
 * Keys: PKCS#8 "PRIVATE KEY" (RSA, EC, Ed25519), and the OpenSSL traditional "RSA PRIVATE KEY"
 * (PKCS#1) and "EC PRIVATE KEY" (SEC1, named curves), which are wrapped into PKCS#8 here.
 * Encrypted keys are refused: the exporter has nowhere to get a passphrase from.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s:,-]*?)-----END \\1-----");
    /** rsaEncryption (1.2.840.113549.1.1.1) with its NULL parameters. */
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    /** id-ecPublicKey (1.2.840.10045.2.1). */
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");

    private PemFiles() {}

    static final class PemException extends Exception {
        private static final long serialVersionUID = 1L;

        PemException(String message) {
            super(message);
        }
    }

    private record Block(String type, byte[] der) {}

    /**
     * The PEM blocks of {@code text} (a file's bytes as ISO-8859-1, so any byte outside the blocks,
     * a UTF-8 comment included, is text to skip, as Go's encoding/pem skips it); {@code file} names it in errors.
     */
    private static List<Block> blocks(String file, String text) throws PemException {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(2).contains(":")) {
                throw new PemException(file + ": " + m.group(1) + " has headers (Proc-Type: an encrypted key?), which are not supported");
            }
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new PemException(file + ": " + m.group(1) + " is not valid base64");
            }
        }
        if (out.isEmpty()) {
            throw new PemException(file + ": no PEM block (-----BEGIN ...-----)");
        }
        return out;
    }

    /** The certificate chain of a PEM file, leaf first. */
    static List<X509Certificate> certificates(String file, String text) throws PemException {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(file, text)) {
                if (b.type.equals("CERTIFICATE")) {
                    chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der)));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new PemException(file + ": not a readable certificate: " + oneLine(e));
        }
        if (chain.isEmpty()) {
            throw new PemException(file + ": no CERTIFICATE block");
        }
        return chain;
    }

    /** The certificates of a CA file, none for a file without PEM blocks (as Go's AppendCertsFromPEM takes /dev/null). */
    static List<X509Certificate> certificatesOrNone(String file, String text) throws PemException {
        return text.contains("-----BEGIN ") ? certificates(file, text) : List.of();
    }

    /** The private key of a PEM file, checked against the certificate's public key. */
    static PrivateKey privateKey(String file, String text, PublicKey certified) throws PemException {
        for (Block b : blocks(file, text)) {
            byte[] pkcs8 = switch (b.type) {
                case "PRIVATE KEY" -> b.der;
                case "RSA PRIVATE KEY" -> sequence(integer0(), RSA_ALGORITHM, octetString(b.der));
                case "EC PRIVATE KEY" -> sequence(integer0(), sequence(EC_PUBLIC_KEY_OID, curveOf(b.der, file)), octetString(b.der));
                case "ENCRYPTED PRIVATE KEY" -> throw new PemException(file + ": encrypted private keys are not supported");
                default -> null; // EC PARAMETERS and the like sit beside the key
            };
            if (pkcs8 == null) {
                continue;
            }
            String kind = b.type.startsWith("RSA") ? "RSA" : b.type.startsWith("EC") ? "EC" : certified.getAlgorithm();
            if (!kind.equals(certified.getAlgorithm())) {
                throw new PemException(file + ": the private key does not belong to the certificate (an " + kind
                        + " key for an " + certified.getAlgorithm() + " certificate)");
            }
            PrivateKey key = decode(pkcs8, certified.getAlgorithm(), file);
            if (!matches(key, certified)) {
                throw new PemException(file + ": the private key does not belong to the certificate");
            }
            return key;
        }
        throw new PemException(file + ": no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block");
    }

    private static PrivateKey decode(byte[] pkcs8, String algorithm, String file) throws PemException {
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            for (String other : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
                try {
                    KeyFactory.getInstance(other).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                    throw new PemException(file + ": the private key does not belong to the certificate (an " + other
                            + " key for an " + algorithm + " certificate)");
                } catch (GeneralSecurityException notThisOne) {
                    // try the next
                }
            }
            throw new PemException(file + ": not a readable " + algorithm + " private key: " + oneLine(e));
        }
    }

    /** Signs and verifies a test message: the only check that works for every key type. */
    private static boolean matches(PrivateKey key, PublicKey certified) {
        String signature = switch (certified.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (signature == null) {
            return true; // cannot tell; the TLS handshake will
        }
        try {
            byte[] message = "tcp-footgun-exporter".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(signature);
            s.initSign(key);
            s.update(message);
            byte[] signed = s.sign();
            s.initVerify(certified);
            s.update(message);
            return s.verify(signed);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The named curve's OID (the [0] parameters) of a SEC1 ECPrivateKey, as a complete DER element. */
    private static byte[] curveOf(byte[] sec1, String file) throws PemException {
        try {
            int[] seq = element(sec1, 0);
            for (int at = seq[1]; at < seq[1] + seq[2]; ) {
                int[] e = element(sec1, at);
                if (e[0] == 0xa0) { // [0] EXPLICIT ECParameters: a namedCurve OID
                    int[] oid = element(sec1, e[1]);
                    if (oid[0] == 0x06) {
                        return java.util.Arrays.copyOfRange(sec1, e[1], oid[1] + oid[2]);
                    }
                }
                at = e[1] + e[2];
            }
        } catch (IndexOutOfBoundsException e) {
            throw new PemException(file + ": EC PRIVATE KEY is not valid DER");
        }
        throw new PemException(file + ": EC PRIVATE KEY without a named curve");
    }

    /** {tag, content offset, content length} of the DER element at {@code at}. */
    private static int[] element(byte[] der, int at) {
        int tag = der[at] & 0xff;
        int len = der[at + 1] & 0xff;
        int content = at + 2;
        if (len > 0x80) {
            int n = len & 0x7f;
            if (n > 3) {
                throw new IndexOutOfBoundsException("DER length of " + n + " bytes");
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = len << 8 | der[content++] & 0xff;
            }
        } else if (len == 0x80) {
            throw new IndexOutOfBoundsException("indefinite DER length");
        }
        if (content + len > der.length) {
            throw new IndexOutOfBoundsException("DER element past its end");
        }
        return new int[] {tag, content, len};
    }

    private static byte[] integer0() {
        return new byte[] {0x02, 0x01, 0x00};
    }

    private static byte[] octetString(byte[] content) {
        return tlv(0x04, content);
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return tlv(0x30, b.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tag);
        int n = content.length;
        if (n < 0x80) {
            b.write(n);
        } else if (n < 0x100) {
            b.write(0x81);
            b.write(n);
        } else if (n < 0x10000) {
            b.write(0x82);
            b.write(n >>> 8);
            b.write(n);
        } else {
            b.write(0x83);
            b.write(n >>> 16);
            b.write(n >>> 8);
            b.write(n);
        }
        b.writeBytes(content);
        return b.toByteArray();
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }

    static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // "java.security.InvalidKeyException: Invalid RSA private key" reads better without the class name
        return m.replaceAll("\\b[a-z]+(\\.[a-z]+)+\\.[A-Z]\\w*(Exception|Error): ", "").replaceAll("\\s+", " ").strip();
    }
}
