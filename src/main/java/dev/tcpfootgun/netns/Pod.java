package dev.tcpfootgun.netns;

/** A Kubernetes pod as the node knows it, without the API server. Name and namespace may be "" when only the uid is known. */
public record Pod(String uid, String namespace, String name) {}
