package io.registry.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Duration;

/**
 * The JSON mapping shared by server and clients. The server reads strictly (an unknown field is a typo
 * the caller wants to hear about); clients read leniently (a newer server may add fields).
 */
public final class Json {
    private static final ObjectMapper STRICT = build(true);
    private static final ObjectMapper LENIENT = build(false);

    private Json() {
    }

    public static ObjectMapper strict() {
        return STRICT;
    }

    public static ObjectMapper lenient() {
        return LENIENT;
    }

    private static ObjectMapper build(boolean strict) {
        SimpleModule durations = new SimpleModule("registry-durations");
        durations.addSerializer(Duration.class, new JsonSerializer<>() {
            @Override
            public void serialize(Duration value, JsonGenerator gen, SerializerProvider sp) throws IOException {
                gen.writeString(Durations.format(value));
            }
        });
        durations.addDeserializer(Duration.class, new JsonDeserializer<>() {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                return Durations.parse(p.getValueAsString());
            }
        });
        return JsonMapper.builder()
                .addModule(durations)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, strict)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                .configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, !strict)
                .build();
    }
}
