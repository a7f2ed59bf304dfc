package io.tidegate.mqtt.discovery;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A Home Assistant {@code value_template}: the subset of Jinja that MQTT discovery configs use, compiled once
 * when the config arrives and rendered for each state message.
 *
 * <p>Taken: text with {@code {{ expr }}} and {@code {% if %}…{% elif %}…{% else %}…{% endif %}} in it (with the
 * {@code -} whitespace control and {@code {# comments #}}); literals (numbers, strings, {@code true}/{@code false},
 * {@code none}); the names {@code value} (the payload as text) and {@code value_json} (the payload as JSON,
 * undefined when it is not JSON); attributes {@code .a} and {@code .0}, subscripts {@code ['a']} and {@code [0]};
 * the filters {@code float}, {@code int} (each with a default), {@code round(n)}, {@code default}/{@code d},
 * {@code is_defined}, {@code lower}, {@code upper}, {@code trim}, {@code string}, {@code abs}; {@code float(x)} and
 * {@code int(x)} as functions; {@code + - * / // % **} and {@code ~}; comparisons; {@code and or not};
 * {@code in}; the tests {@code defined}, {@code undefined}, {@code none}, {@code number}, {@code string}; and
 * {@code a if c else b}. Anything else (another filter or function, another name such as {@code states} or
 * {@code now}, {@code for}, {@code set}) is refused by {@link #compile}, naming it.
 *
 * <p>As in Home Assistant, {@code float} and {@code int} without a default fail on a value that is no number, and
 * {@code round} without a precision gives a whole number. A template that meets an undefined value or fails
 * renders to nothing, and says why ({@link Rendered}).
 */
public final class ValueTemplate {
    /** How long a template may be, and how deep its expressions nest: bounds on what a config can make us do. */
    static final int MAX_LENGTH = 16 * 1024;
    static final int MAX_DEPTH = 64;

    private final List<Part> parts;
    private final String source;

    private ValueTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    /** A template, or why it is refused: the construct outside the subset, or the syntax error. */
    public record Compiled(ValueTemplate template, String refusal) {
    }

    /** What a template made of a message: the text, or why there is none ({@code undefined} true when a value was undefined). */
    public record Rendered(String text, boolean undefined, String error) {
        static Rendered ok(String text) {
            return new Rendered(text, false, null);
        }
    }

    public static Compiled compile(String source) {
        if (source.length() > MAX_LENGTH) {
            return new Compiled(null, "template longer than " + MAX_LENGTH + " characters");
        }
        try {
            return new Compiled(new ValueTemplate(source, new Parser(source).template()), null);
        } catch (Refused e) {
            return new Compiled(null, e.getMessage());
        } catch (StackOverflowError e) {
            return new Compiled(null, "template nested too deeply");
        }
    }

    public String source() {
        return source;
    }

    /**
     * Renders the template for a payload: {@code value} is its text, {@code valueJson} its JSON tree (null when
     * it is not JSON, which leaves {@code value_json} undefined).
     */
    public Rendered render(String value, JsonElement valueJson) {
        StringBuilder out = new StringBuilder();
        try {
            renderParts(parts, new Scope(value, valueJson), out);
        } catch (UndefinedValue e) {
            return new Rendered(null, true, e.getMessage());
        } catch (EvaluationError e) {
            return new Rendered(null, false, e.getMessage());
        }
        return Rendered.ok(out.toString());
    }

    @Override
    public String toString() {
        return source;
    }

    // ---- values -------------------------------------------------------------------------------------------------

    /** Jinja's undefined: what a missing attribute or an absent {@code value_json} is. */
    private static final class Undefined {
        final String what;

        Undefined(String what) {
            this.what = what;
        }
    }

    /** Jinja's none. */
    private static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    private record Scope(String value, JsonElement valueJson) {
    }

    private static final class UndefinedValue extends RuntimeException {
        UndefinedValue(String message) {
            super(message, null, false, false);
        }
    }

    private static final class EvaluationError extends RuntimeException {
        EvaluationError(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** A JSON value as a template value: numbers as Long or Double, strings, booleans, none; objects and arrays kept. */
    private static Object fromJson(JsonElement element) {
        if (element == null || element.isJsonNull()) {
            return NONE;
        }
        if (element.isJsonPrimitive()) {
            JsonPrimitive primitive = element.getAsJsonPrimitive();
            if (primitive.isBoolean()) {
                return primitive.getAsBoolean();
            }
            if (primitive.isNumber()) {
                String text = primitive.getAsString();
                if (text.matches("-?\\d{1,18}")) {
                    return Long.parseLong(text);
                }
                return primitive.getAsDouble();
            }
            return primitive.getAsString();
        }
        return element;
    }

    // ---- template structure -------------------------------------------------------------------------------------

    private sealed interface Part permits Text, Output, If {
    }

    private record Text(String text) implements Part {
    }

    private record Output(Node expression) implements Part {
    }

    private record Branch(Node condition, List<Part> body) {
    }

    private record If(List<Branch> branches, List<Part> otherwise) implements Part {
    }

    private static void renderParts(List<Part> parts, Scope scope, StringBuilder out) {
        for (Part part : parts) {
            if (part instanceof Text text) {
                out.append(text.text());
            } else if (part instanceof Output output) {
                out.append(text(defined(output.expression().eval(scope))));
            } else {
                If conditional = (If) part;
                List<Part> chosen = conditional.otherwise();
                for (Branch branch : conditional.branches()) {
                    if (truthy(branch.condition().eval(scope))) {
                        chosen = branch.body();
                        break;
                    }
                }
                renderParts(chosen, scope, out);
            }
        }
    }

    // ---- expressions --------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Node {
        Object eval(Scope scope);
    }

    private static Object defined(Object value) {
        if (value instanceof Undefined undefined) {
            throw new UndefinedValue(undefined.what + " is undefined");
        }
        return value;
    }

    private static boolean truthy(Object value) {
        if (value instanceof Undefined || value == NONE) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Long l) {
            return l != 0;
        }
        if (value instanceof Double d) {
            return d != 0;
        }
        if (value instanceof String s) {
            return !s.isEmpty();
        }
        if (value instanceof JsonObject o) {
            return o.size() > 0;
        }
        if (value instanceof JsonArray a) {
            return a.size() > 0;
        }
        return true;
    }

    /** The value as Python's {@code str} writes it, which is what Jinja renders. */
    static String text(Object value) {
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof Double d) {
            return pythonFloat(d);
        }
        if (value instanceof Undefined) {
            return "";
        }
        return value.toString();
    }

    private static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return BigDecimal.valueOf(d).setScale(1, RoundingMode.UNNECESSARY).toPlainString();
        }
        String java = Double.toString(d);
        int e = java.indexOf('E');
        if (e < 0) {
            return java;
        }
        String mantissa = java.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        int exponent = Integer.parseInt(java.substring(e + 1));
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    }

    private static boolean isNumber(Object value) {
        return value instanceof Long || value instanceof Double || value instanceof Boolean;
    }

    private static double asDouble(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Double d) {
            return d;
        }
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new EvaluationError(describe(value) + " is not a number");
    }

    private static Object integral(Object value) {
        return value instanceof Boolean b ? (Object) (b ? 1L : 0L) : value;
    }

    private static String describe(Object value) {
        if (value instanceof String s) {
            return "'" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'";
        }
        if (value instanceof JsonObject) {
            return "an object";
        }
        if (value instanceof JsonArray) {
            return "a list";
        }
        return text(value);
    }

    /** A state's text as a number, as Python's {@code float()} reads it; null when it is none. */
    static Double number(String text) {
        return toFloat(text);
    }

    /** Python's float(): a number, or text that reads as one (with spaces around, inf and nan too); null if not. */
    private static Double toFloat(Object value) {
        if (isNumber(value)) {
            return asDouble(value);
        }
        if (value instanceof String s) {
            String t = s.strip().toLowerCase(Locale.ROOT).replace("_", "");
            if (t.matches("[+-]?(\\d+\\.?\\d*([e][+-]?\\d+)?|\\.\\d+([e][+-]?\\d+)?)")) {
                return Double.parseDouble(t);
            }
            if (t.matches("[+-]?(inf|infinity)")) {
                return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            if (t.matches("[+-]?nan")) {
                return Double.NaN;
            }
        }
        return null;
    }

    /** Jinja's int filter: an integer, text of one, or the integer part of a float; null if none. */
    private static Long toInt(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (value instanceof String s && s.strip().matches("[+-]?\\d{1,18}")) {
            return Long.parseLong(s.strip().replace("+", ""));
        }
        Double d = toFloat(value);
        if (d == null || d.isNaN() || d.isInfinite() || Math.abs(d) >= 9.2e18) {
            return null;
        }
        return (long) (double) d;
    }

    private static Object arithmetic(String op, Object left, Object right) {
        left = defined(left);
        right = defined(right);
        if (op.equals("+") && left instanceof String a && right instanceof String b) {
            return a + b;
        }
        if (!isNumber(left) || !isNumber(right)) {
            throw new EvaluationError("cannot compute " + describe(left) + " " + op + " " + describe(right));
        }
        left = integral(left);
        right = integral(right);
        if (left instanceof Long a && right instanceof Long b && !op.equals("/")) {
            try {
                switch (op) {
                    case "+": return Math.addExact(a, b);
                    case "-": return Math.subtractExact(a, b);
                    case "*": return Math.multiplyExact(a, b);
                    case "//":
                        if (b == 0) {
                            throw new EvaluationError("division by zero");
                        }
                        return Math.floorDiv(a, b);
                    case "%":
                        if (b == 0) {
                            throw new EvaluationError("modulo by zero");
                        }
                        return Math.floorMod(a, b);
                    case "**":
                        if (b >= 0) {
                            long result = 1;
                            for (long i = 0; i < b && i < 64; i++) {
                                result = Math.multiplyExact(result, a);
                            }
                            if (b < 64 || Math.abs(a) <= 1) {
                                return b >= 64 ? (a == -1 && b % 2 == 1 ? -1L : (a == 0 ? 0L : 1L)) : result;
                            }
                        }
                        break;
                    default:
                        throw new IllegalStateException(op);
                }
            } catch (ArithmeticException overflow) {
                // past a long: as a float, as far as this subset needs
            }
        }
        double a = asDouble(left);
        double b = asDouble(right);
        return switch (op) {
            case "+" -> a + b;
            case "-" -> a - b;
            case "*" -> a * b;
            case "/" -> {
                if (b == 0) {
                    throw new EvaluationError("division by zero");
                }
                yield a / b;
            }
            case "//" -> {
                if (b == 0) {
                    throw new EvaluationError("division by zero");
                }
                yield Math.floor(a / b);
            }
            case "%" -> {
                if (b == 0) {
                    throw new EvaluationError("modulo by zero");
                }
                double m = a % b;
                yield m != 0 && (m < 0) != (b < 0) ? m + b : m;
            }
            case "**" -> Math.pow(a, b);
            default -> throw new IllegalStateException(op);
        };
    }

    private static boolean equal(Object left, Object right) {
        if (isNumber(left) && isNumber(right)) {
            return asDouble(left) == asDouble(right);
        }
        if (left instanceof Undefined || right instanceof Undefined) {
            return left instanceof Undefined && right instanceof Undefined;
        }
        return left.equals(right);
    }

    private static Object compare(String op, Object left, Object right) {
        switch (op) {
            case "==":
                return equal(left, right);
            case "!=":
                return !equal(left, right);
            case "in":
            case "not in": {
                boolean in = contains(defined(right), defined(left));
                return op.equals("in") == in;
            }
            default:
                break;
        }
        left = defined(left);
        right = defined(right);
        int order;
        if (isNumber(left) && isNumber(right)) {
            order = Double.compare(asDouble(left), asDouble(right));
            if (Double.isNaN(asDouble(left)) || Double.isNaN(asDouble(right))) {
                return false;
            }
        } else if (left instanceof String a && right instanceof String b) {
            order = a.compareTo(b);
        } else {
            throw new EvaluationError("cannot compare " + describe(left) + " " + op + " " + describe(right));
        }
        return switch (op) {
            case "<" -> order < 0;
            case "<=" -> order <= 0;
            case ">" -> order > 0;
            case ">=" -> order >= 0;
            default -> throw new IllegalStateException(op);
        };
    }

    private static boolean contains(Object container, Object item) {
        if (container instanceof String s && item instanceof String t) {
            return s.contains(t);
        }
        if (container instanceof JsonObject o && item instanceof String key) {
            return o.has(key);
        }
        if (container instanceof JsonArray array) {
            for (JsonElement element : array) {
                if (equal(fromJson(element), item)) {
                    return true;
                }
            }
            return false;
        }
        if (container instanceof List<?> list) {
            for (Object element : list) {
                if (equal(element, item)) {
                    return true;
                }
            }
            return false;
        }
        throw new EvaluationError("cannot look for " + describe(item) + " in " + describe(container));
    }

    /** {@code .name} or {@code [key]}: a member of an object, an element of a list or a character of a string. */
    private static Object member(Object container, Object key, String shown) {
        if (container instanceof Undefined) {
            return new Undefined(shown);
        }
        if (container instanceof JsonObject object) {
            String name = key instanceof String s ? s : text(key);
            return object.has(name) ? fromJson(object.get(name)) : new Undefined(shown);
        }
        Long index = key instanceof Long l ? l : key instanceof Boolean b ? (Long) (b ? 1L : 0L) : null;
        if (index != null) {
            if (container instanceof JsonArray array) {
                long at = index < 0 ? array.size() + index : index;
                return at >= 0 && at < array.size() ? fromJson(array.get((int) at)) : new Undefined(shown);
            }
            if (container instanceof List<?> list) {
                long at = index < 0 ? list.size() + index : index;
                return at >= 0 && at < list.size() ? list.get((int) at) : new Undefined(shown);
            }
            if (container instanceof String s) {
                long at = index < 0 ? s.length() + index : index;
                return at >= 0 && at < s.length() ? String.valueOf(s.charAt((int) at)) : new Undefined(shown);
            }
        }
        return new Undefined(shown);
    }

    // ---- filters ------------------------------------------------------------------------------------------------

    /** The filters taken, with how many arguments each may have. */
    private static final Set<String> FILTERS = Set.of("float", "int", "round", "default", "d", "is_defined", "lower",
            "upper", "trim", "string", "abs");
    /** The names a template may read. */
    private static final Set<String> NAMES = Set.of("value", "value_json");
    private static final Set<String> TESTS = Set.of("defined", "undefined", "none", "number", "string");

    private static int maxArguments(String filter) {
        return switch (filter) {
            case "float", "int" -> 1;
            case "round", "default", "d" -> 2;
            default -> 0;
        };
    }

    private static Object filter(String name, Object input, List<Object> arguments) {
        switch (name) {
            case "default":
            case "d": {
                Object fallback = arguments.isEmpty() ? "" : arguments.get(0);
                boolean ifFalsy = arguments.size() > 1 && truthy(arguments.get(1));
                return input instanceof Undefined || (ifFalsy && !truthy(input)) ? fallback : input;
            }
            case "is_defined":
                return defined(input);
            default:
                break;
        }
        input = defined(input);
        switch (name) {
            case "float": {
                Double d = toFloat(input);
                if (d != null) {
                    return d;
                }
                if (!arguments.isEmpty()) {
                    return arguments.get(0);
                }
                throw new EvaluationError("float got invalid input " + describe(input) + " and no default");
            }
            case "int": {
                Long l = toInt(input);
                if (l != null) {
                    return l;
                }
                if (!arguments.isEmpty()) {
                    return arguments.get(0);
                }
                throw new EvaluationError("int got invalid input " + describe(input) + " and no default");
            }
            case "round": {
                Double d = toFloat(input);
                if (d == null) {
                    throw new EvaluationError("round got invalid input " + describe(input));
                }
                long precision = 0;
                if (!arguments.isEmpty()) {
                    Object p = integral(defined(arguments.get(0)));
                    if (!(p instanceof Long l) || l < -300 || l > 300) {
                        throw new EvaluationError("round's precision must be a small integer, not " + describe(p));
                    }
                    precision = (Long) p;
                }
                String method = arguments.size() > 1 ? text(arguments.get(1)) : "common";
                RoundingMode mode = switch (method) {
                    case "common" -> RoundingMode.HALF_EVEN; // Python's round()
                    case "half" -> RoundingMode.HALF_UP;
                    case "ceil" -> RoundingMode.CEILING;
                    case "floor" -> RoundingMode.FLOOR;
                    default -> throw new EvaluationError("round's method must be common, half, ceil or floor, not "
                            + describe(method));
                };
                if (d.isNaN() || d.isInfinite()) {
                    return d;
                }
                double rounded = new BigDecimal(d).setScale((int) precision, mode).doubleValue();
                if (precision == 0 && Math.abs(rounded) < 9.2e18) {
                    return (long) rounded; // Home Assistant's round gives a whole number without a precision
                }
                return rounded;
            }
            case "lower":
                return text(input).toLowerCase(Locale.ROOT);
            case "upper":
                return text(input).toUpperCase(Locale.ROOT);
            case "trim":
                return text(input).strip();
            case "string":
                return text(input);
            case "abs": {
                Object n = integral(input);
                if (n instanceof Long l) {
                    return l == Long.MIN_VALUE ? (Object) Math.abs((double) l) : (Object) Math.abs(l);
                }
                if (n instanceof Double d) {
                    return Math.abs(d);
                }
                throw new EvaluationError("abs got " + describe(input));
            }
            default:
                throw new IllegalStateException(name);
        }
    }

    private static boolean test(String name, Object value) {
        return switch (name) {
            case "defined" -> !(value instanceof Undefined);
            case "undefined" -> value instanceof Undefined;
            case "none" -> value == NONE;
            case "number" -> value instanceof Long || value instanceof Double;
            case "string" -> value instanceof String;
            default -> throw new IllegalStateException(name);
        };
    }

    // ---- parser -------------------------------------------------------------------------------------------------

    private enum Kind { NAME, NUMBER, STRING, OP, END }

    private record Token(Kind kind, String text, Object value, int at) {
    }

    /** Reads the template's text, its tags and, inside them, expressions by recursive descent (Jinja's precedence). */
    private static final class Parser {
        private final String source;
        private int at;
        private List<Token> tokens;
        private int next;
        private int depth;

        Parser(String source) {
            this.source = source;
        }

        List<Part> template() {
            List<Part> parts = new ArrayList<>();
            String end = body(parts, Set.of());
            if (end != null) {
                throw new Refused("{% " + end + " %} without {% if %}");
            }
            return parts;
        }

        /**
         * Reads text and tags into {@code parts} until a {@code {% word %}} with a word in {@code stops}, which it
         * returns (its expression left to read), or the end (null).
         */
        private String body(List<Part> parts, Set<String> stops) {
            StringBuilder text = new StringBuilder();
            boolean trimNext = false;
            while (at < source.length()) {
                int open = nextTag(at);
                String chunk = source.substring(at, open < 0 ? source.length() : open);
                text.append(trimNext ? chunk.stripLeading() : chunk);
                trimNext = false;
                if (open < 0) {
                    at = source.length();
                    break;
                }
                char kind = source.charAt(open + 1);
                at = open + 2;
                boolean trimBefore = at < source.length() && source.charAt(at) == '-';
                if (trimBefore || (at < source.length() && source.charAt(at) == '+')) {
                    at++;
                }
                if (trimBefore) {
                    String kept = text.toString().stripTrailing();
                    text.setLength(0);
                    text.append(kept);
                }
                if (kind == '#') {
                    int close = source.indexOf("#}", at);
                    if (close < 0) {
                        throw new Refused("{# without #}");
                    }
                    trimNext = close > at && source.charAt(close - 1) == '-';
                    at = close + 2;
                    continue;
                }
                flush(text, parts);
                String close = kind == '{' ? "}}" : "%}";
                int closeAt = closing(close);
                boolean trimAfter = closeAt > at && source.charAt(closeAt - 1) == '-';
                String inside = source.substring(at, trimAfter ? closeAt - 1 : closeAt);
                int insideAt = at;
                at = closeAt + 2;
                trimNext = trimAfter;
                if (kind == '%') {
                    String word = inside.strip().split("[^A-Za-z_]", 2)[0];
                    if (!Set.of("if", "elif", "else", "endif").contains(word)) {
                        throw new Refused("statement {% " + (word.isEmpty() ? inside.strip() : word)
                                + " %} is not supported (only if, elif, else, endif)");
                    }
                }
                tokens = tokenize(inside, insideAt);
                next = 0;
                if (kind == '{') {
                    Node expression = expression();
                    expect(Kind.END, null, "the end of {{ }}");
                    parts.add(new Output(expression));
                    continue;
                }
                Token word = take();
                if (word.kind() != Kind.NAME) {
                    throw new Refused("statement {% " + inside.strip() + " %} is not supported");
                }
                switch (word.text()) {
                    case "if" -> parts.add(conditional());
                    case "elif", "else", "endif" -> {
                        if (!stops.contains(word.text())) {
                            throw new Refused("{% " + word.text() + " %} without {% if %}");
                        }
                        return word.text();
                    }
                    default -> throw new Refused("statement {% " + word.text()
                            + " %} is not supported (only if, elif, else, endif)");
                }
            }
            flush(text, parts);
            return null;
        }

        private If conditional() {
            if (++depth > MAX_DEPTH) {
                throw new Refused("template nested too deeply");
            }
            List<Branch> branches = new ArrayList<>();
            Node condition = expression();
            expect(Kind.END, null, "the end of {% if %}");
            while (true) {
                List<Part> body = new ArrayList<>();
                String end = body(body, Set.of("elif", "else", "endif"));
                if (end == null) {
                    throw new Refused("{% if %} without {% endif %}");
                }
                branches.add(new Branch(condition, body));
                switch (end) {
                    case "elif" -> {
                        condition = expression();
                        expect(Kind.END, null, "the end of {% elif %}");
                    }
                    case "else" -> {
                        expect(Kind.END, null, "the end of {% else %}");
                        List<Part> otherwise = new ArrayList<>();
                        String last = body(otherwise, Set.of("endif"));
                        if (last == null) {
                            throw new Refused("{% if %} without {% endif %}");
                        }
                        expect(Kind.END, null, "the end of {% endif %}");
                        depth--;
                        return new If(branches, otherwise);
                    }
                    default -> {
                        expect(Kind.END, null, "the end of {% endif %}");
                        depth--;
                        return new If(branches, List.of());
                    }
                }
            }
        }

        private static void flush(StringBuilder text, List<Part> parts) {
            if (!text.isEmpty()) {
                parts.add(new Text(text.toString()));
                text.setLength(0);
            }
        }

        private int nextTag(int from) {
            for (int i = from; i + 1 < source.length(); i++) {
                if (source.charAt(i) == '{') {
                    char c = source.charAt(i + 1);
                    if (c == '{' || c == '%' || c == '#') {
                        return i;
                    }
                }
            }
            return -1;
        }

        /** Where the tag's {@code close} is, past any string literal inside it. */
        private int closing(String close) {
            char quote = 0;
            for (int i = at; i < source.length(); i++) {
                char c = source.charAt(i);
                if (quote != 0) {
                    if (c == '\\') {
                        i++;
                    } else if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (source.startsWith(close, i)) {
                    return i;
                }
            }
            throw new Refused((close.equals("}}") ? "{{" : "{%") + " without " + close);
        }

        private static final List<String> OPERATORS = List.of("**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/",
                "%", "<", ">", "(", ")", "[", "]", ".", ",", "|", "~");

        private static List<Token> tokenize(String text, int offset) {
            List<Token> out = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (Character.isLetter(c) || c == '_') {
                    int start = i;
                    while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                        i++;
                    }
                    out.add(new Token(Kind.NAME, text.substring(start, i), null, offset + start));
                } else if (Character.isDigit(c)) {
                    int start = i;
                    while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                        i++;
                    }
                    boolean fraction = false;
                    if (i + 1 < text.length() && text.charAt(i) == '.' && Character.isDigit(text.charAt(i + 1))) {
                        fraction = true;
                        i++;
                        while (i < text.length() && Character.isDigit(text.charAt(i))) {
                            i++;
                        }
                    }
                    if (i < text.length() && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
                        int e = i + 1;
                        if (e < text.length() && (text.charAt(e) == '+' || text.charAt(e) == '-')) {
                            e++;
                        }
                        if (e < text.length() && Character.isDigit(text.charAt(e))) {
                            fraction = true;
                            i = e;
                            while (i < text.length() && Character.isDigit(text.charAt(i))) {
                                i++;
                            }
                        }
                    }
                    String literal = text.substring(start, i).replace("_", "");
                    Object value;
                    if (fraction) {
                        value = Double.parseDouble(literal);
                    } else if (literal.length() <= 18) {
                        value = Long.parseLong(literal);
                    } else {
                        value = Double.parseDouble(literal);
                    }
                    out.add(new Token(Kind.NUMBER, literal, value, offset + start));
                } else if (c == '\'' || c == '"') {
                    int start = i;
                    StringBuilder s = new StringBuilder();
                    i++;
                    while (true) {
                        if (i >= text.length()) {
                            throw new Refused("string literal without its closing quote");
                        }
                        char d = text.charAt(i);
                        if (d == c) {
                            i++;
                            break;
                        }
                        if (d == '\\' && i + 1 < text.length()) {
                            char e = text.charAt(i + 1);
                            s.append(switch (e) {
                                case 'n' -> '\n';
                                case 't' -> '\t';
                                case 'r' -> '\r';
                                default -> e;
                            });
                            i += 2;
                        } else {
                            s.append(d);
                            i++;
                        }
                    }
                    out.add(new Token(Kind.STRING, text.substring(start, i), s.toString(), offset + start));
                } else {
                    String op = null;
                    for (String candidate : OPERATORS) {
                        if (text.startsWith(candidate, i)) {
                            op = candidate;
                            break;
                        }
                    }
                    if (op == null) {
                        throw new Refused("unexpected character '" + c + "'");
                    }
                    out.add(new Token(Kind.OP, op, null, offset + i));
                    i += op.length();
                }
            }
            out.add(new Token(Kind.END, "", null, offset + text.length()));
            return out;
        }

        private Token peek() {
            return tokens.get(next);
        }

        private Token take() {
            Token token = tokens.get(next);
            if (token.kind() != Kind.END) {
                next++;
            }
            return token;
        }

        private boolean isOp(String op) {
            return peek().kind() == Kind.OP && peek().text().equals(op);
        }

        private boolean isWord(String word) {
            return peek().kind() == Kind.NAME && peek().text().equals(word);
        }

        private boolean isWordAt(int offset, String word) {
            int i = next + offset;
            return i < tokens.size() && tokens.get(i).kind() == Kind.NAME && tokens.get(i).text().equals(word);
        }

        private void expect(Kind kind, String text, String what) {
            Token token = take();
            if (token.kind() != kind || (text != null && !token.text().equals(text))) {
                throw new Refused("expected " + what + ", found " + shown(token));
            }
        }

        private static String shown(Token token) {
            return token.kind() == Kind.END ? "the end of the tag" : "'" + token.text() + "'";
        }

        private void deeper() {
            if (++depth > MAX_DEPTH) {
                throw new Refused("template nested too deeply");
            }
        }

        Node expression() {
            deeper();
            Node body = or();
            if (isWord("if")) {
                take();
                Node condition = or();
                Node otherwise;
                if (isWord("else")) {
                    take();
                    otherwise = expression();
                } else {
                    otherwise = scope -> new Undefined("the else of an inline if");
                }
                Node then = body;
                depth--;
                return scope -> truthy(condition.eval(scope)) ? then.eval(scope) : otherwise.eval(scope);
            }
            depth--;
            return body;
        }

        private Node or() {
            Node left = and();
            while (isWord("or")) {
                take();
                Node a = left;
                Node b = and();
                left = scope -> {
                    Object value = a.eval(scope);
                    return truthy(value) ? value : b.eval(scope);
                };
            }
            return left;
        }

        private Node and() {
            Node left = not();
            while (isWord("and")) {
                take();
                Node a = left;
                Node b = not();
                left = scope -> {
                    Object value = a.eval(scope);
                    return truthy(value) ? b.eval(scope) : value;
                };
            }
            return left;
        }

        private Node not() {
            if (isWord("not")) {
                take();
                deeper();
                Node operand = not();
                depth--;
                return scope -> !truthy(operand.eval(scope));
            }
            return comparison();
        }

        private Node comparison() {
            Node left = sum();
            while (true) {
                String op;
                if (peek().kind() == Kind.OP && Set.of("==", "!=", "<", "<=", ">", ">=").contains(peek().text())) {
                    op = take().text();
                } else if (isWord("in")) {
                    take();
                    op = "in";
                } else if (isWord("not") && isWordAt(1, "in")) {
                    take();
                    take();
                    op = "not in";
                } else {
                    return left;
                }
                Node a = left;
                Node b = sum();
                String operator = op;
                left = scope -> compare(operator, a.eval(scope), b.eval(scope));
            }
        }

        private Node sum() {
            Node left = concatenation();
            while (isOp("+") || isOp("-")) {
                String op = take().text();
                Node a = left;
                Node b = concatenation();
                left = scope -> arithmetic(op, a.eval(scope), b.eval(scope));
            }
            return left;
        }

        private Node concatenation() {
            Node left = product();
            while (isOp("~")) {
                take();
                Node a = left;
                Node b = product();
                left = scope -> text(defined(a.eval(scope))) + text(defined(b.eval(scope)));
            }
            return left;
        }

        private Node product() {
            Node left = power();
            while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
                String op = take().text();
                Node a = left;
                Node b = power();
                left = scope -> arithmetic(op, a.eval(scope), b.eval(scope));
            }
            return left;
        }

        private Node power() {
            Node left = unary();
            while (isOp("**")) {
                take();
                Node a = left;
                Node b = unary();
                left = scope -> arithmetic("**", a.eval(scope), b.eval(scope));
            }
            return left;
        }

        private Node unary() {
            if (isOp("-") || isOp("+")) {
                String op = take().text();
                deeper();
                Node operand = unary();
                depth--;
                return op.equals("-") ? scope -> arithmetic("-", 0L, operand.eval(scope)) : scope -> {
                    Object value = defined(operand.eval(scope));
                    if (!isNumber(value)) {
                        throw new EvaluationError("cannot compute +" + describe(value));
                    }
                    return integral(value);
                };
            }
            return filtered(postfix(primary()));
        }

        /** Filters ({@code | name(args)}) and tests ({@code is [not] name}) after a value. */
        private Node filtered(Node node) {
            while (true) {
                if (isOp("|")) {
                    take();
                    Token name = take();
                    if (name.kind() != Kind.NAME) {
                        throw new Refused("expected a filter name after '|', found " + shown(name));
                    }
                    if (!FILTERS.contains(name.text())) {
                        throw new Refused("filter '" + name.text() + "' is not supported (only "
                                + String.join(", ", FILTERS.stream().sorted().toList()) + ")");
                    }
                    List<Node> arguments = isOp("(") ? arguments() : List.of();
                    if (arguments.size() > maxArguments(name.text())) {
                        throw new Refused("filter '" + name.text() + "' takes at most " + maxArguments(name.text())
                                + " argument" + (maxArguments(name.text()) == 1 ? "" : "s"));
                    }
                    Node input = node;
                    String filter = name.text();
                    node = scope -> filter(filter, input.eval(scope), evalAll(arguments, scope));
                } else if (isWord("is")) {
                    take();
                    boolean negated = false;
                    if (isWord("not")) {
                        take();
                        negated = true;
                    }
                    Token name = take();
                    if (name.kind() != Kind.NAME || !TESTS.contains(name.text())) {
                        throw new Refused("test 'is " + name.text() + "' is not supported (only "
                                + String.join(", ", TESTS.stream().sorted().toList()) + ")");
                    }
                    Node input = node;
                    boolean not = negated;
                    String test = name.text();
                    node = scope -> test(test, input.eval(scope)) != not;
                } else {
                    return node;
                }
            }
        }

        private static List<Object> evalAll(List<Node> nodes, Scope scope) {
            List<Object> values = new ArrayList<>(nodes.size());
            for (Node node : nodes) {
                values.add(node.eval(scope));
            }
            return values;
        }

        private List<Node> arguments() {
            expect(Kind.OP, "(", "'('");
            List<Node> arguments = new ArrayList<>();
            if (isOp(")")) {
                take();
                return arguments;
            }
            while (true) {
                if (peek().kind() == Kind.NAME && next + 1 < tokens.size() && tokens.get(next + 1).kind() == Kind.OP
                        && tokens.get(next + 1).text().equals("=")) {
                    throw new Refused("keyword arguments are not supported");
                }
                arguments.add(expression());
                if (isOp(",")) {
                    take();
                    continue;
                }
                expect(Kind.OP, ")", "',' or ')'");
                return arguments;
            }
        }

        private Node postfix(Node node) {
            while (true) {
                if (isOp(".")) {
                    take();
                    Token name = take();
                    Object key;
                    if (name.kind() == Kind.NAME) {
                        key = name.text();
                    } else if (name.kind() == Kind.NUMBER && name.value() instanceof Long) {
                        key = name.value();
                    } else {
                        throw new Refused("expected an attribute name after '.', found " + shown(name));
                    }
                    if (isOp("(")) {
                        throw new Refused("method call ." + name.text() + "() is not supported");
                    }
                    Node container = node;
                    node = scope -> member(container.eval(scope), key, "." + key);
                } else if (isOp("[")) {
                    take();
                    Node key = expression();
                    expect(Kind.OP, "]", "']'");
                    Node container = node;
                    node = scope -> {
                        Object k = defined(key.eval(scope));
                        return member(container.eval(scope), k, "[" + describe(k) + "]");
                    };
                } else if (isOp("(")) {
                    throw new Refused("calling a value is not supported");
                } else {
                    return node;
                }
            }
        }

        private Node primary() {
            Token token = take();
            switch (token.kind()) {
                case NUMBER, STRING -> {
                    Object value = token.value();
                    return scope -> value;
                }
                case NAME -> {
                    String name = token.text();
                    switch (name) {
                        case "true", "True" -> {
                            return scope -> Boolean.TRUE;
                        }
                        case "false", "False" -> {
                            return scope -> Boolean.FALSE;
                        }
                        case "none", "None" -> {
                            return scope -> NONE;
                        }
                        case "value" -> {
                            return scope -> scope.value();
                        }
                        case "value_json" -> {
                            return scope -> scope.valueJson() == null ? new Undefined("value_json (the payload is not JSON)")
                                    : fromJson(scope.valueJson());
                        }
                        case "float", "int" -> {
                            if (!isOp("(")) {
                                break;
                            }
                            List<Node> arguments = arguments();
                            if (arguments.isEmpty() || arguments.size() > 2) {
                                throw new Refused(name + "() takes a value and an optional default");
                            }
                            Node input = arguments.get(0);
                            List<Node> rest = arguments.subList(1, arguments.size());
                            return scope -> filter(name, input.eval(scope), evalAll(rest, scope));
                        }
                        default -> {
                        }
                    }
                    if (isOp("(")) {
                        throw new Refused("function " + name + "() is not supported (only float() and int())");
                    }
                    if (!NAMES.contains(name)) {
                        throw new Refused("name '" + name + "' is not supported (only value and value_json)");
                    }
                    throw new IllegalStateException(name);
                }
                case OP -> {
                    if (token.text().equals("(")) {
                        Node inner = expression();
                        expect(Kind.OP, ")", "')'");
                        return inner;
                    }
                    if (token.text().equals("[")) {
                        throw new Refused("list literals are not supported");
                    }
                    throw new Refused("unexpected '" + token.text() + "'");
                }
                default -> throw new Refused("expected a value, found the end of the tag");
            }
        }
    }
}
