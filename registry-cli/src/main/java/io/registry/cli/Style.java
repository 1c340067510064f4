package io.registry.cli;

import io.registry.api.Status;

/** ANSI colours, or plain text when off (not a terminal, NO_COLOR set, output captured). */
record Style(boolean on) {
    private static final String RESET = "\u001B[0m";

    String bold(String s) {
        return wrap("\u001B[1m", s);
    }

    String green(String s) {
        return wrap("\u001B[32m", s);
    }

    String yellow(String s) {
        return wrap("\u001B[33m", s);
    }

    String red(String s) {
        return wrap("\u001B[31m", s);
    }

    String dim(String s) {
        return wrap("\u001B[2m", s);
    }

    String status(Status status, String text) {
        if (status == null) {
            return text;
        }
        return switch (status) {
            case PASSING -> green(text);
            case WARNING -> yellow(text);
            case CRITICAL -> red(text);
        };
    }

    String role(String role, String text) {
        if (role == null) {
            return text;
        }
        return switch (role.toLowerCase(java.util.Locale.ROOT)) {
            case "leader" -> green(text);
            case "follower" -> text;
            default -> yellow(text);
        };
    }

    private String wrap(String code, String s) {
        return on && !s.isEmpty() ? code + s + RESET : s;
    }
}
