package de.zukunftsstadt.analysis;

import java.util.List;

import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.IntSetting;
import org.elasticsearch.plugin.settings.ListSetting;
import org.elasticsearch.plugin.settings.StringSetting;

/** Settings shared by the decompounders, with Elasticsearch's (Lucene's) defaults. */
@AnalysisSettings
public interface CompoundSettings {

    @ListSetting(path = "word_list")
    List<String> wordList();

    @StringSetting(path = "word_list_path", defaultValue = "")
    String wordListPath();

    /** Match the word list ignoring case (Elasticsearch's {@code word_list_case}). */
    @BooleanSetting(path = "word_list_case", defaultValue = false)
    boolean wordListCase();

    @IntSetting(path = "min_word_size", defaultValue = 5)
    int minWordSize();

    @IntSetting(path = "min_subword_size", defaultValue = 2)
    int minSubwordSize();

    @IntSetting(path = "max_subword_size", defaultValue = 15)
    int maxSubwordSize();

    @BooleanSetting(path = "only_longest_match", defaultValue = false)
    boolean onlyLongestMatch();
}
