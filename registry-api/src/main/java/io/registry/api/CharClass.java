package io.registry.api;

/**
 * A set of ASCII characters that a name may be made of, checked by table lookup. Validation runs on every
 * write on the node that takes it and again in apply on every node; there, {@code java.util.regex} took
 * about 2 % of a follower's CPU under load (docs/BENCHMARKS.md, session 15) for rules that are only
 * "these characters".
 */
final class CharClass {
    static final String LETTERS_AND_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final boolean[] allowed = new boolean[128];

    private CharClass(String chars) {
        for (char c : chars.toCharArray()) {
            allowed[c] = true;
        }
    }

    /** The class of exactly the characters in {@code chars}, all of them ASCII. */
    static CharClass of(String chars) {
        return new CharClass(chars);
    }

    private boolean contains(char c) {
        return c < 128 && allowed[c];
    }

    /** True if {@code s} is not empty and every character of it is in this class. */
    boolean matchesAll(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!contains(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
