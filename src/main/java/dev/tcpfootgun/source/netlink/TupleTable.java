package dev.tcpfootgun.source.netlink;

import java.util.Arrays;

/**
 * Counters keyed by a fixed-width byte key (protocol, addresses, ports), stored column-wise in
 * arrays: a dump adds to it once per entry without allocating, and its size follows the number of
 * distinct keys, never the number of entries. Past {@code limit} distinct keys, new keys are
 * refused (and counted by the caller), so a table of random destinations cannot grow without bound.
 */
final class TupleTable {
    static final int KEY = 40;

    private final int columns;
    private final int limit;
    private byte[] keys;
    private long[] values;
    /** Open addressing: key id + 1 per slot, 0 for empty. */
    private int[] slots;
    private int size;

    TupleTable(int columns, int limit) {
        this.columns = columns;
        this.limit = limit;
        int initial = Math.min(limit, 64);
        keys = new byte[initial * KEY];
        values = new long[initial * columns];
        slots = new int[Integer.highestOneBit(Math.max(2, initial * 2)) * 2];
    }

    int size() {
        return size;
    }

    /** The id of {@code key} (inserted when absent), or -1 when the table is at its limit. */
    int id(byte[] key) {
        int mask = slots.length - 1;
        int h = hash(key) & mask;
        while (true) {
            int s = slots[h];
            if (s == 0) {
                break;
            }
            if (Arrays.equals(keys, (s - 1) * KEY, s * KEY, key, 0, KEY)) {
                return s - 1;
            }
            h = (h + 1) & mask;
        }
        if (size >= limit) {
            return -1;
        }
        if (size * KEY >= keys.length) {
            int grown = Math.min(limit, Math.max(size * 2, 64));
            keys = Arrays.copyOf(keys, grown * KEY);
            values = Arrays.copyOf(values, grown * columns);
        }
        int id = size++;
        System.arraycopy(key, 0, keys, id * KEY, KEY);
        slots[h] = id + 1;
        if (size * 2 > slots.length) {
            rehash();
        }
        return id;
    }

    void add(int id, int column, long n) {
        values[id * columns + column] += n;
    }

    long get(int id, int column) {
        return values[id * columns + column];
    }

    /** Copies key {@code id} into {@code into}. */
    void key(int id, byte[] into) {
        System.arraycopy(keys, id * KEY, into, 0, KEY);
    }

    void clear() {
        Arrays.fill(slots, 0);
        Arrays.fill(values, 0);
        size = 0;
    }

    private void rehash() {
        int[] bigger = new int[slots.length * 2];
        int mask = bigger.length - 1;
        byte[] k = new byte[KEY];
        for (int id = 0; id < size; id++) {
            System.arraycopy(keys, id * KEY, k, 0, KEY);
            int h = hash(k) & mask;
            while (bigger[h] != 0) {
                h = (h + 1) & mask;
            }
            bigger[h] = id + 1;
        }
        slots = bigger;
    }

    private static int hash(byte[] key) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < KEY; i++) {
            h = (h ^ key[i]) * 0x100000001B3L;
        }
        return (int) (h ^ (h >>> 29));
    }
}
