package io.registry.api;

/** Every error body: a stable machine code and a sentence that says what is wrong and how to fix it. */
public record ApiError(String error, String message) {
}
