package feedsearch.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The parts of a query-engine index that decide whether our passages fit it: which keys it
 * covers, its fields' types, and how its vectors are laid out. Read from FT.INFO, or built from
 * what we would create, so that "index already exists" can be answered with "and it is the same"
 * or with what differs.
 */
record SearchSchema(List<String> prefixes, Map<String, String> fieldTypes, String algorithm, String dataType, int dim,
                    String metric) {
    /** The passage text, indexed for BM25; indexes made before hybrid ranking lack it. */
    static final String TEXT_FIELD = "text";

    static SearchSchema wanted(String prefix, RedisOptions options, int dim) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("url", "TAG");
        fields.put("title", "TEXT");
        fields.put("feed", "TAG");
        fields.put("published", "NUMERIC");
        fields.put("chunk", "NUMERIC");
        fields.put(TEXT_FIELD, "TEXT");
        fields.put("embedding", "VECTOR");
        return new SearchSchema(List.of(prefix), fields, options.algorithm().toUpperCase(Locale.ROOT), "FLOAT32", dim,
                options.metric().toUpperCase(Locale.ROOT));
    }

    /** Reads FT.INFO's {@code index_definition} and {@code attributes}; tolerant of unknown entries. */
    static SearchSchema fromInfo(Map<String, Object> info) {
        List<String> prefixes = new ArrayList<>();
        Map<String, Object> definition = pairs(info.get("index_definition"));
        if (definition.get("prefixes") instanceof List<?> list) {
            list.forEach(p -> prefixes.add(text(p)));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        String algorithm = null;
        String dataType = null;
        int dim = 0;
        String metric = null;
        if (info.get("attributes") instanceof List<?> attributes) {
            for (Object attribute : attributes) {
                Map<String, Object> a = pairs(attribute);
                String name = text(a.getOrDefault("attribute", a.get("identifier")));
                String type = text(a.get("type")).toUpperCase(Locale.ROOT);
                fields.put(name, type);
                if (type.equals("VECTOR")) {
                    algorithm = upper(a.get("algorithm"));
                    dataType = upper(a.getOrDefault("data_type", a.get("type_of_data")));
                    Object d = a.getOrDefault("dim", a.get("dimension"));
                    dim = d == null ? 0 : Integer.parseInt(text(d));
                    metric = upper(a.get("distance_metric"));
                }
            }
        }
        return new SearchSchema(prefixes, fields, algorithm, dataType, dim, metric);
    }

    /** Whether passages can be ranked by their words: the text field is there, as TEXT. */
    boolean hasText() {
        return "TEXT".equals(fieldTypes.get(TEXT_FIELD));
    }

    /**
     * What {@code existing} has that this schema does not want; empty when they agree. An index
     * lacking only the text field is no mismatch: FT.ALTER adds it (see RediSearchStore).
     */
    List<String> differencesFrom(SearchSchema existing) {
        List<String> differences = new ArrayList<>();
        if (!existing.prefixes.equals(prefixes)) {
            differences.add("prefixes " + existing.prefixes + " instead of " + prefixes);
        }
        for (Map.Entry<String, String> field : fieldTypes.entrySet()) {
            String has = existing.fieldTypes.get(field.getKey());
            if (has == null && field.getKey().equals(TEXT_FIELD)) {
                continue;
            }
            if (!field.getValue().equals(has)) {
                differences.add("field " + field.getKey() + " is " + (has == null ? "missing" : has) + ", not " + field.getValue());
            }
        }
        compare(differences, "vector algorithm", existing.algorithm, algorithm);
        compare(differences, "vector type", existing.dataType, dataType);
        if (existing.dim != dim) {
            differences.add("vector dimension is " + existing.dim + ", not " + dim);
        }
        compare(differences, "distance metric", existing.metric, metric);
        return differences;
    }

    private static void compare(List<String> differences, String what, String has, String wants) {
        if (!Objects.equals(has, wants)) {
            differences.add(what + " is " + has + ", not " + wants);
        }
    }

    /** FT.INFO replies are flat lists of alternating names and values. */
    private static Map<String, Object> pairs(Object reply) {
        Map<String, Object> map = new LinkedHashMap<>();
        if (reply instanceof Map<?, ?> m) {
            m.forEach((k, v) -> map.put(text(k).toLowerCase(Locale.ROOT), v));
        } else if (reply instanceof List<?> list) {
            for (int i = 0; i + 1 < list.size(); i += 2) {
                map.put(text(list.get(i)).toLowerCase(Locale.ROOT), list.get(i + 1));
            }
        }
        return map;
    }

    static String text(Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString();
    }

    private static String upper(Object value) {
        return value == null ? null : text(value).toUpperCase(Locale.ROOT);
    }
}
