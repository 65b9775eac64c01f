package dev.upsert.bench;

/** Placeholder entry point; the harness lands with the benchmarks issue. */
public final class Benchmarks {
    public static void main(String[] args) {
        System.out.println("upsert-hibernate benchmarks: coming");
    }
}
