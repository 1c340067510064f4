package io.registry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The name rules, checked character by character, accept exactly what the regular expressions that
 * checked them until session 15 accept; those are kept here as the oracle.
 */
class ValidationProperties {
    private static final Pattern SERVICE = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]+");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9_.:%-]+");
    private static final Pattern KEY_OR_ZONE = Pattern.compile("[A-Za-z0-9_.-]+");

    /** Mostly characters near the rules' edges, so that both answers come up often. */
    @Provide
    Arbitrary<String> names() {
        Arbitrary<Character> near = Arbitraries.of('a', 'z', 'A', 'Z', '0', '9', '-', '_', '.', ':', '%', '/', ' ',
                '@', '`', '{', '[', '\u00e9', '\u0430', '\u0000', '\u007f');
        Arbitrary<Character> any = Arbitraries.chars();
        return Arbitraries.frequencyOf(
                        Tuple.of(8, near),
                        Tuple.of(4, Arbitraries.chars().alpha().numeric()),
                        Tuple.of(1, any))
                .list().ofMinSize(0).ofMaxSize(12)
                .map(cs -> cs.stream().map(String::valueOf).reduce("", String::concat));
    }

    /** Short strings of the characters a service name's rule turns on, where the dashes' places matter. */
    @Provide
    Arbitrary<String> serviceNames() {
        return Arbitraries.strings().withChars('a', 'z', '0', '9', '-', 'A', '_').ofMinLength(0).ofMaxLength(6);
    }

    @Property(tries = 3000)
    void serviceNamesFollowTheRule(@ForAll("serviceNames") String name) {
        assertServiceNameRule(name);
    }

    @Property(tries = 3000)
    void anyStringIsAServiceNameOnlyByTheRule(@ForAll("names") String name) {
        assertServiceNameRule(name);
    }

    private static void assertServiceNameRule(String name) {
        assertThat(accepts(Validation::serviceName, name)).as("'%s'", name).isEqualTo(SERVICE.matcher(name).matches());
    }

    @Property(tries = 3000)
    void instanceIdsFollowTheRule(@ForAll("names") String id) {
        assertThat(accepts(Validation::instanceId, id)).as("'%s'", id).isEqualTo(ID.matcher(id).matches());
    }

    @Property(tries = 3000)
    void addressesFollowTheRule(@ForAll("names") String address) {
        boolean expected = !address.isBlank() && ADDRESS.matcher(address).matches();
        assertThat(accepts(a -> register(a, Map.of(), null), address)).as("'%s'", address).isEqualTo(expected);
    }

    @Property(tries = 3000)
    void metadataKeysAndZonesFollowTheRule(@ForAll("names") String name) {
        boolean expected = KEY_OR_ZONE.matcher(name).matches();
        assertThat(accepts(k -> register("10.0.0.5", Map.of(k, "v"), null), name)).as("key '%s'", name).isEqualTo(expected);
        assertThat(accepts(z -> register("10.0.0.5", Map.of(), z), name)).as("zone '%s'", name).isEqualTo(expected);
    }

    @Example
    void aServiceNameMayNotStartOrEndWithADash() {
        assertThat(accepts(Validation::serviceName, "payments-api")).isTrue();
        assertThat(accepts(Validation::serviceName, "-payments")).isFalse();
        assertThat(accepts(Validation::serviceName, "payments-")).isFalse();
        assertThat(accepts(Validation::serviceName, "-")).isFalse();
        assertThat(accepts(Validation::serviceName, "a")).isTrue();
    }

    private static void register(String address, Map<String, String> metadata, String zone) {
        Validation.instance("payments", "p-1", new Registration(address, 8080, List.of(), metadata, null, zone, null, null));
    }

    private static boolean accepts(Consumer<String> check, String value) {
        try {
            check.accept(value);
            return true;
        } catch (ApiException e) {
            assertThat(e.httpStatus()).isEqualTo(400);
            return false;
        }
    }
}
