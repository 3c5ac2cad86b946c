package dev.tcpfootgun.footgun;

/**
 * One footgun's judgement: a pure function of an observation (the snapshot, the one before it where
 * a rate is needed, and aggregates derived from them once). Knows nothing of files or HTTP.
 */
public interface Check {

    Footgun footgun();

    Finding judge(Observation observation);
}
