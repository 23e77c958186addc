package de.zukunftsstadt.analysis;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.junit.Test;

public class FiltersTest {

    /** Tokens of {@code text} after standard → lowercase → {@code chain}. */
    private static List<String> tokens(String text, Function<TokenStream, TokenStream> chain) throws IOException {
        Tokenizer tokenizer = new StandardTokenizer();
        tokenizer.setReader(new StringReader(text));
        List<String> out = new ArrayList<>();
        try (TokenStream ts = chain.apply(new LowerCaseFilter(tokenizer))) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        }
        return out;
    }

    @Test
    public void germanNormalizationAndStemmer() throws IOException {
        StemmerFilterFactory light = new StemmerFilterFactory(TestSettings.of(StemmerSettings.class, Map.of("language", "light_german")));
        GermanNormalizationFilterFactory norm = new GermanNormalizationFilterFactory();
        assertEquals(tokens("Gründächer", ts -> light.create(norm.create(ts))), tokens("Gruendaecher", ts -> light.create(norm.create(ts))));
    }

    @Test
    public void stemmerLanguages() throws IOException {
        for (String language : List.of("german", "german2", "light_german", "minimal_german", "english", "light_english", "porter", "lightGerman")) {
            new StemmerFilterFactory(TestSettings.of(StemmerSettings.class, Map.of("language", language)));
        }
        StemmerFilterFactory porter = new StemmerFilterFactory(TestSettings.of(StemmerSettings.class, Map.of()));
        assertEquals(List.of("run"), tokens("running", porter::create));
        assertThrows(IllegalArgumentException.class,
            () -> new StemmerFilterFactory(TestSettings.of(StemmerSettings.class, Map.of("language", "klingon"))));
    }

    @Test
    public void dictionaryDecompounder() throws IOException {
        DictionaryDecompounderFactory f = new DictionaryDecompounderFactory(
            TestSettings.of(CompoundSettings.class, Map.of("word_list", List.of("grün", "dach", "dächer")))
        );
        assertEquals(List.of("gründächer", "grün", "dächer"), tokens("Gründächer", f::create));
        // Built with empty settings (as the node does for every plugin filter), failing when used.
        DictionaryDecompounderFactory empty = new DictionaryDecompounderFactory(TestSettings.of(CompoundSettings.class, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> empty.create(new StandardTokenizer()));
    }

    @Test
    public void synonymGraph() throws IOException {
        SynonymGraphFilterFactory f = new SynonymGraphFilterFactory(
            TestSettings.of(SynonymSettings.class, Map.of("synonyms", List.of("heat island, wärmeinsel", "# comment")))
        );
        assertEquals(List.of("heat", "wärmeinsel", "island"), tokens("Wärmeinsel", f::create));
        assertEquals(List.of("wärmeinsel", "heat", "island"), tokens("Heat Island", f::create));
        SynonymGraphFilterFactory oneWay = new SynonymGraphFilterFactory(
            TestSettings.of(SynonymSettings.class, Map.of("synonyms", List.of("hitze, wärme"), "expand", false))
        );
        assertEquals(List.of("hitze"), tokens("Wärme", oneWay::create));
        SynonymGraphFilterFactory empty = new SynonymGraphFilterFactory(TestSettings.of(SynonymSettings.class, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> empty.create(new StandardTokenizer()));
        new HyphenationDecompounderFactory(TestSettings.of(HyphenationSettings.class, Map.of()));
    }

    @Test
    public void asciifoldingUniqueAndDelimiter() throws IOException {
        AsciiFoldingFilterFactory fold = new AsciiFoldingFilterFactory(TestSettings.of(AsciiFoldingSettings.class, Map.of()));
        assertEquals(List.of("strasse", "cafe"), tokens("Straße Café", fold::create));
        UniqueFilterFactory unique = new UniqueFilterFactory(TestSettings.of(UniqueSettings.class, Map.of()));
        assertEquals(List.of("a", "b"), tokens("a b a", unique::create));
        WordDelimiterGraphFilterFactory wdg = new WordDelimiterGraphFilterFactory(TestSettings.of(WordDelimiterGraphSettings.class, Map.of()));
        // The standard tokenizer keeps "wi_fi" whole; word_delimiter_graph splits it.
        assertEquals(List.of("wi", "fi"), tokens("wi_fi", wdg::create));
    }
}
