package io.registry.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SseParserTest {
    private final SseParser parser = new SseParser();

    @Test
    void blankLineCompletesAnEventWithItsTypeIdAndData() {
        assertThat(parser.line("event: instances")).isNull();
        assertThat(parser.line("id: 42")).isNull();
        assertThat(parser.line("data: {\"index\":42}")).isNull();
        assertThat(parser.line("")).isEqualTo(new SseParser.Event("instances", "42", "{\"index\":42}"));
    }

    @Test
    void commentsAreIgnoredAndNeverCompleteAnEvent() {
        assertThat(parser.line(": keepalive")).isNull();
        assertThat(parser.line("")).isNull();
    }

    @Test
    void severalDataLinesJoinWithNewlines() {
        parser.line("data: a");
        parser.line("data:b");
        assertThat(parser.line("")).isEqualTo(new SseParser.Event("message", null, "a\nb"));
    }

    @Test
    void typeResetsBetweenEventsButTheLastIdPersists() {
        parser.line("event: instances");
        parser.line("id: 7");
        parser.line("data: x");
        parser.line("");
        parser.line("data: y");
        assertThat(parser.line("")).isEqualTo(new SseParser.Event("message", "7", "y"));
    }

    @Test
    void unknownFieldsAndRetryAreIgnored() {
        parser.line("retry: 1000");
        parser.line("bogus");
        parser.line("data: z");
        assertThat(parser.line("")).isEqualTo(new SseParser.Event("message", null, "z"));
    }
}
