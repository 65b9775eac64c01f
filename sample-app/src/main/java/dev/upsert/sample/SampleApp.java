package dev.upsert.sample;

/** Placeholder entry point; the scenarios land with the sample-app issue. */
public final class SampleApp {
    public static void main(String[] args) {
        System.out.println("upsert-hibernate sample app: scenarios coming");
    }
}
