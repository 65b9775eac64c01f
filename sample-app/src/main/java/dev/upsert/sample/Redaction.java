package dev.upsert.sample;

import java.util.regex.Pattern;

/**
 * Keeps secrets and personal data out of what the demo prints by accident: error messages can carry a key's
 * value (PostgreSQL's DETAIL "Key (email)=(...) already exists") and URLs can carry a password.
 */
final class Redaction {

    private static final Pattern EMAIL = Pattern.compile("([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)");
    private static final Pattern USER_INFO = Pattern.compile("//[^/@]*@");

    private Redaction() {
    }

    /** The URL without user info or query string, where passwords live. */
    static String url(String url) {
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query) + "?...";
        return USER_INFO.matcher(base).replaceFirst("//***@");
    }

    /** The text with every e-mail address shortened to its first letter and domain: {@code a***@example.com}. */
    static String text(String text) {
        return text == null ? null : EMAIL.matcher(text).replaceAll("$1***@$2");
    }
}
