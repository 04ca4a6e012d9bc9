package feedsearch.cli;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON object per line, fields in the order given, for scripts that read our output. An
 * object (or a list of them) can be the value of another's field.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<String, Object> fields = new LinkedHashMap<>();

    public static Json object() {
        return new Json();
    }

    public Json put(String name, Object value) {
        fields.put(name, value instanceof Instant instant ? instant.toString() : value);
        return this;
    }

    /** The fields, in order; what Jackson writes when this object is nested in another. */
    @JsonValue
    public Map<String, Object> fields() {
        return fields;
    }

    public String line() {
        try {
            return MAPPER.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of strings and numbers always serialize", e);
        }
    }
}
