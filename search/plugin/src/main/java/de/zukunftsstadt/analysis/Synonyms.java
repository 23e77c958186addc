package de.zukunftsstadt.analysis;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.synonym.WordnetSynonymParser;
import org.apache.lucene.util.CharsRef;
import org.apache.lucene.util.CharsRefBuilder;

/**
 * Builds the synonym map of {@code synonym}/{@code synonym_graph} from the settings.
 *
 * <p>Elasticsearch analyses the rules with the tokenizer and the filters that precede the synonym
 * filter in the analyzer. A stable plugin is not told its chain, so the rules are analysed with a
 * whitespace tokenizer and {@code lowercase}: rules match exactly what the chain
 * {@code standard → lowercase → synonym_graph} produces as long as they are written in that
 * surface form (lowercase words, no punctuation that the standard tokenizer would split).
 */
final class Synonyms {

    private Synonyms() {}

    static final String MISSING = "synonym requires either `synonyms`, `synonyms_set` or `synonyms_path` to be configured";

    /**
     * Maps built from files, by file, size, modification time and parse options. The node builds
     * the filter again for every index it creates, and 59,000 rules take about 0.9 s each time; a
     * SynonymMap is immutable, so indices share it. An edited file has a new key and is read again.
     */
    private static final Map<String, SynonymMap> FROM_FILES = new ConcurrentHashMap<>();

    /**
     * The synonym map, or null when no rules are configured. The node builds every plugin filter
     * once with empty settings on each index creation, so that case must not fail here; the
     * factories fail when such a filter is used.
     */
    static SynonymMap build(SynonymSettings settings, String filterName) {
        if (settings.updateable()) {
            // The wrapper maps AnalysisMode, but reloading needs Elasticsearch's own factory.
            throw new IllegalArgumentException("[updateable] synonyms are not supported by this plugin");
        }
        Reader rules;
        String origin;
        String fileKey = null;
        List<String> inline = settings.synonyms();
        if (inline != null && inline.isEmpty() == false) {
            // As Analysis.getWordList: blank lines and # comments dropped, each rule trimmed.
            StringBuilder sb = new StringBuilder();
            for (String rule : inline) {
                if (rule.isBlank() || rule.startsWith("#")) {
                    continue;
                }
                sb.append(rule.trim()).append('\n');
            }
            rules = new StringReader(sb.toString());
            origin = "'" + filterName + "' analyzer settings";
        } else if (settings.synonymsSet().isEmpty() == false) {
            throw new IllegalArgumentException("[synonyms_set] is not supported by this plugin; use synonyms or synonyms_path");
        } else if (settings.synonymsPath().isEmpty() == false) {
            fileKey = fileKey(settings);
            SynonymMap cached = fileKey == null ? null : FROM_FILES.get(fileKey);
            if (cached != null) {
                return cached;
            }
            rules = ConfigFiles.reader(settings.synonymsPath(), "synonyms_path");
            origin = settings.synonymsPath();
        } else {
            return null;
        }
        SynonymMap map = parse(settings, rules, origin);
        if (fileKey != null) {
            FROM_FILES.put(fileKey, map);
        }
        return map;
    }

    private static SynonymMap parse(SynonymSettings settings, Reader rules, String origin) {
        boolean lenient = settings.lenient();
        try (Analyzer analyzer = ruleAnalyzer()) {
            if ("wordnet".equalsIgnoreCase(settings.format())) {
                WordnetSynonymParser parser = new LenientWordnetParser(settings.expand(), lenient, analyzer);
                parser.parse(rules);
                return parser.build();
            }
            SolrSynonymParser parser = new LenientSolrParser(settings.expand(), lenient, analyzer);
            parser.parse(rules);
            return parser.build();
        } catch (IOException | ParseException | RuntimeException e) {
            throw new IllegalArgumentException("failed to build synonyms from [" + origin + "]", e);
        }
    }

    /** The cache key of a rules file, or null when the file cannot be looked at (then the reader
     * reports the problem). */
    private static String fileKey(SynonymSettings settings) {
        try {
            Path file = ConfigFiles.resolve(settings.synonymsPath()).toAbsolutePath();
            return file + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis()
                + "|" + settings.expand() + "|" + settings.lenient() + "|" + settings.format();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whitespace tokenizer + lowercase, the stand-in for the filters before the synonym filter. */
    static Analyzer ruleAnalyzer() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer tokenizer = new WhitespaceTokenizer();
                return new TokenStreamComponents(tokenizer, new LowerCaseFilter(tokenizer));
            }
        };
    }

    /** Parses one rule's words; a {@link SynonymMap.Parser#analyze} call. */
    @FunctionalInterface
    private interface RuleAnalysis {
        CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException;
    }

    /** With {@code lenient}, a rule whose words analyse to nothing is skipped (as Elasticsearch's
     * ESSolrSynonymParser and ESWordnetSynonymParser do). */
    private static boolean keeps(boolean lenient, CharsRef input, CharsRef output) {
        return lenient == false || (input.length > 0 && output.length > 0);
    }

    private static CharsRef analyzed(boolean lenient, RuleAnalysis strict, String text,
                                     CharsRefBuilder reuse) throws IOException {
        try {
            return strict.analyze(text, reuse);
        } catch (IllegalArgumentException e) {
            if (lenient) {
                return new CharsRef("");
            }
            throw e;
        }
    }

    private static final class LenientSolrParser extends SolrSynonymParser {
        private final boolean lenient;

        LenientSolrParser(boolean expand, boolean lenient, Analyzer analyzer) {
            super(true, expand, analyzer);
            this.lenient = lenient;
        }

        @Override
        public void add(CharsRef input, CharsRef output, boolean includeOrig) {
            if (keeps(lenient, input, output)) {
                super.add(input, output, includeOrig);
            }
        }

        @Override
        public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
            return analyzed(lenient, super::analyze, text, reuse);
        }
    }

    /** The WordNet counterpart of {@link LenientSolrParser}. */
    private static final class LenientWordnetParser extends WordnetSynonymParser {
        private final boolean lenient;

        LenientWordnetParser(boolean expand, boolean lenient, Analyzer analyzer) {
            super(true, expand, analyzer);
            this.lenient = lenient;
        }

        @Override
        public void add(CharsRef input, CharsRef output, boolean includeOrig) {
            if (keeps(lenient, input, output)) {
                super.add(input, output, includeOrig);
            }
        }

        @Override
        public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
            return analyzed(lenient, super::analyze, text, reuse);
        }
    }
}
