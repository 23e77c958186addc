package de.zukunftsstadt.analysis;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ar.ArabicStemFilter;
import org.apache.lucene.analysis.bg.BulgarianStemFilter;
import org.apache.lucene.analysis.bn.BengaliStemFilter;
import org.apache.lucene.analysis.br.BrazilianStemFilter;
import org.apache.lucene.analysis.ckb.SoraniStemFilter;
import org.apache.lucene.analysis.cz.CzechStemFilter;
import org.apache.lucene.analysis.de.GermanLightStemFilter;
import org.apache.lucene.analysis.de.GermanMinimalStemFilter;
import org.apache.lucene.analysis.el.GreekStemFilter;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.es.SpanishLightStemFilter;
import org.apache.lucene.analysis.es.SpanishPluralStemFilter;
import org.apache.lucene.analysis.fa.PersianStemFilter;
import org.apache.lucene.analysis.fi.FinnishLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchMinimalStemFilter;
import org.apache.lucene.analysis.gl.GalicianMinimalStemFilter;
import org.apache.lucene.analysis.gl.GalicianStemFilter;
import org.apache.lucene.analysis.hi.HindiStemFilter;
import org.apache.lucene.analysis.hu.HungarianLightStemFilter;
import org.apache.lucene.analysis.id.IndonesianStemFilter;
import org.apache.lucene.analysis.it.ItalianLightStemFilter;
import org.apache.lucene.analysis.lv.LatvianStemFilter;
import org.apache.lucene.analysis.no.NorwegianLightStemFilter;
import org.apache.lucene.analysis.no.NorwegianLightStemFilterFactory;
import org.apache.lucene.analysis.no.NorwegianMinimalStemFilter;
import org.apache.lucene.analysis.no.NorwegianMinimalStemFilterFactory;
import org.apache.lucene.analysis.pt.PortugueseLightStemFilter;
import org.apache.lucene.analysis.pt.PortugueseMinimalStemFilter;
import org.apache.lucene.analysis.pt.PortugueseStemFilter;
import org.apache.lucene.analysis.ru.RussianLightStemFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.sv.SwedishLightStemFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.tartarus.snowball.ext.ArmenianStemmer;
import org.tartarus.snowball.ext.BasqueStemmer;
import org.tartarus.snowball.ext.CatalanStemmer;
import org.tartarus.snowball.ext.DanishStemmer;
import org.tartarus.snowball.ext.DutchStemmer;
import org.tartarus.snowball.ext.EnglishStemmer;
import org.tartarus.snowball.ext.EstonianStemmer;
import org.tartarus.snowball.ext.FinnishStemmer;
import org.tartarus.snowball.ext.FrenchStemmer;
import org.tartarus.snowball.ext.German2Stemmer;
import org.tartarus.snowball.ext.GermanStemmer;
import org.tartarus.snowball.ext.HungarianStemmer;
import org.tartarus.snowball.ext.IrishStemmer;
import org.tartarus.snowball.ext.ItalianStemmer;
import org.tartarus.snowball.ext.KpStemmer;
import org.tartarus.snowball.ext.LithuanianStemmer;
import org.tartarus.snowball.ext.LovinsStemmer;
import org.tartarus.snowball.ext.NorwegianStemmer;
import org.tartarus.snowball.ext.PortugueseStemmer;
import org.tartarus.snowball.ext.RomanianStemmer;
import org.tartarus.snowball.ext.RussianStemmer;
import org.tartarus.snowball.ext.SerbianStemmer;
import org.tartarus.snowball.ext.SpanishStemmer;
import org.tartarus.snowball.ext.SwedishStemmer;
import org.tartarus.snowball.ext.TurkishStemmer;

/**
 * {@code stemmer} with the {@code language} values of Elasticsearch 8.x (Lucene 9): for German
 * {@code german} (Snowball), {@code german2} (Snowball German2, also stems ae/oe/ue spellings),
 * {@code light_german}, {@code minimal_german}; for English {@code english}/{@code porter}
 * (Porter), {@code light_english}/{@code kstem}, {@code minimal_english}, {@code porter2},
 * {@code possessive_english}, {@code lovins}; and the other languages of the standard factory.
 * Language names are matched ignoring case; the camel-case aliases (lightGerman) work as well.
 */
@NamedComponent("stemmer")
public class StemmerFilterFactory implements TokenFilterFactory {

    private static final Map<String, Function<TokenStream, TokenStream>> STEMMERS = Map.ofEntries(
        Map.entry("arabic", ArabicStemFilter::new),
        Map.entry("armenian", ts -> new SnowballFilter(ts, new ArmenianStemmer())),
        Map.entry("basque", ts -> new SnowballFilter(ts, new BasqueStemmer())),
        Map.entry("bengali", BengaliStemFilter::new),
        Map.entry("brazilian", BrazilianStemFilter::new),
        Map.entry("bulgarian", BulgarianStemFilter::new),
        Map.entry("catalan", ts -> new SnowballFilter(ts, new CatalanStemmer())),
        Map.entry("czech", CzechStemFilter::new),
        Map.entry("danish", ts -> new SnowballFilter(ts, new DanishStemmer())),
        Map.entry("dutch", ts -> new SnowballFilter(ts, new DutchStemmer())),
        Map.entry("dutch_kp", ts -> new SnowballFilter(ts, new KpStemmer())),
        Map.entry("dutchkp", ts -> new SnowballFilter(ts, new KpStemmer())),
        Map.entry("kp", ts -> new SnowballFilter(ts, new KpStemmer())),
        Map.entry("english", PorterStemFilter::new),
        Map.entry("light_english", KStemFilter::new),
        Map.entry("lightenglish", KStemFilter::new),
        Map.entry("kstem", KStemFilter::new),
        Map.entry("lovins", ts -> new SnowballFilter(ts, new LovinsStemmer())),
        Map.entry("porter", PorterStemFilter::new),
        Map.entry("porter2", ts -> new SnowballFilter(ts, new EnglishStemmer())),
        Map.entry("minimal_english", EnglishMinimalStemFilter::new),
        Map.entry("minimalenglish", EnglishMinimalStemFilter::new),
        Map.entry("possessive_english", EnglishPossessiveFilter::new),
        Map.entry("possessiveenglish", EnglishPossessiveFilter::new),
        Map.entry("estonian", ts -> new SnowballFilter(ts, new EstonianStemmer())),
        Map.entry("finnish", ts -> new SnowballFilter(ts, new FinnishStemmer())),
        Map.entry("light_finish", FinnishLightStemFilter::new),
        Map.entry("lightfinish", FinnishLightStemFilter::new),
        Map.entry("light_finnish", FinnishLightStemFilter::new),
        Map.entry("lightfinnish", FinnishLightStemFilter::new),
        Map.entry("french", ts -> new SnowballFilter(ts, new FrenchStemmer())),
        Map.entry("light_french", FrenchLightStemFilter::new),
        Map.entry("lightfrench", FrenchLightStemFilter::new),
        Map.entry("minimal_french", FrenchMinimalStemFilter::new),
        Map.entry("minimalfrench", FrenchMinimalStemFilter::new),
        Map.entry("galician", GalicianStemFilter::new),
        Map.entry("minimal_galician", GalicianMinimalStemFilter::new),
        Map.entry("german", ts -> new SnowballFilter(ts, new GermanStemmer())),
        Map.entry("german2", ts -> new SnowballFilter(ts, new German2Stemmer())),
        Map.entry("light_german", GermanLightStemFilter::new),
        Map.entry("lightgerman", GermanLightStemFilter::new),
        Map.entry("minimal_german", GermanMinimalStemFilter::new),
        Map.entry("minimalgerman", GermanMinimalStemFilter::new),
        Map.entry("greek", GreekStemFilter::new),
        Map.entry("hindi", HindiStemFilter::new),
        Map.entry("hungarian", ts -> new SnowballFilter(ts, new HungarianStemmer())),
        Map.entry("light_hungarian", HungarianLightStemFilter::new),
        Map.entry("lighthungarian", HungarianLightStemFilter::new),
        Map.entry("indonesian", IndonesianStemFilter::new),
        Map.entry("irish", ts -> new SnowballFilter(ts, new IrishStemmer())),
        Map.entry("italian", ts -> new SnowballFilter(ts, new ItalianStemmer())),
        Map.entry("light_italian", ItalianLightStemFilter::new),
        Map.entry("lightitalian", ItalianLightStemFilter::new),
        Map.entry("latvian", LatvianStemFilter::new),
        Map.entry("lithuanian", ts -> new SnowballFilter(ts, new LithuanianStemmer())),
        Map.entry("norwegian", ts -> new SnowballFilter(ts, new NorwegianStemmer())),
        Map.entry("light_norwegian", NorwegianLightStemFilter::new),
        Map.entry("lightnorwegian", NorwegianLightStemFilter::new),
        Map.entry("minimal_norwegian", NorwegianMinimalStemFilter::new),
        Map.entry("minimalnorwegian", NorwegianMinimalStemFilter::new),
        Map.entry("light_nynorsk", ts -> new NorwegianLightStemFilterFactory(nynorsk()).create(ts)),
        Map.entry("lightnynorsk", ts -> new NorwegianLightStemFilterFactory(nynorsk()).create(ts)),
        Map.entry("minimal_nynorsk", ts -> new NorwegianMinimalStemFilterFactory(nynorsk()).create(ts)),
        Map.entry("minimalnynorsk", ts -> new NorwegianMinimalStemFilterFactory(nynorsk()).create(ts)),
        Map.entry("persian", PersianStemFilter::new),
        Map.entry("portuguese", ts -> new SnowballFilter(ts, new PortugueseStemmer())),
        Map.entry("light_portuguese", PortugueseLightStemFilter::new),
        Map.entry("lightportuguese", PortugueseLightStemFilter::new),
        Map.entry("minimal_portuguese", PortugueseMinimalStemFilter::new),
        Map.entry("minimalportuguese", PortugueseMinimalStemFilter::new),
        Map.entry("portuguese_rslp", PortugueseStemFilter::new),
        Map.entry("romanian", ts -> new SnowballFilter(ts, new RomanianStemmer())),
        Map.entry("russian", ts -> new SnowballFilter(ts, new RussianStemmer())),
        Map.entry("light_russian", RussianLightStemFilter::new),
        Map.entry("lightrussian", RussianLightStemFilter::new),
        Map.entry("serbian", ts -> new SnowballFilter(ts, new SerbianStemmer())),
        Map.entry("spanish", ts -> new SnowballFilter(ts, new SpanishStemmer())),
        Map.entry("light_spanish", SpanishLightStemFilter::new),
        Map.entry("lightspanish", SpanishLightStemFilter::new),
        Map.entry("spanish_plural", SpanishPluralStemFilter::new),
        Map.entry("sorani", SoraniStemFilter::new),
        Map.entry("swedish", ts -> new SnowballFilter(ts, new SwedishStemmer())),
        Map.entry("light_swedish", SwedishLightStemFilter::new),
        Map.entry("lightswedish", SwedishLightStemFilter::new),
        Map.entry("turkish", ts -> new SnowballFilter(ts, new TurkishStemmer()))
    );

    private final Function<TokenStream, TokenStream> stemmer;

    /** Lucene's factories take (and consume) a mutable argument map. */
    private static Map<String, String> nynorsk() {
        Map<String, String> args = new HashMap<>();
        args.put("variant", "nn");
        return args;
    }

    @Inject
    public StemmerFilterFactory(StemmerSettings settings) {
        String language = settings.language();
        if (language.isEmpty()) {
            language = settings.name().isEmpty() ? "porter" : settings.name();
        }
        stemmer = STEMMERS.get(language.toLowerCase(Locale.ROOT));
        if (stemmer == null) {
            throw new IllegalArgumentException("Unknown stemmer language [" + language + "]");
        }
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return stemmer.apply(tokenStream);
    }
}
