package dev.tcpfootgun.source;

/** Counts what a parser skipped, and keeps the first reason, so one bad line never costs the rest. */
public final class ParseLog {
    private long skipped;
    private String firstProblem;

    public void skip(String problem) {
        skipped++;
        if (firstProblem == null) {
            firstProblem = problem;
        }
    }

    public long skipped() {
        return skipped;
    }

    /** The first problem seen, or null. */
    public String firstProblem() {
        return firstProblem;
    }
}
