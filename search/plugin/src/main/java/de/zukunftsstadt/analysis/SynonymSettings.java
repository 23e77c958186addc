package de.zukunftsstadt.analysis;

import java.util.List;

import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;
import org.elasticsearch.plugin.settings.StringSetting;

/** Settings of {@code synonym} and {@code synonym_graph}. */
@AnalysisSettings
public interface SynonymSettings {

    /** Inline rules, one rule an element (Solr or WordNet format). */
    @ListSetting(path = "synonyms")
    List<String> synonyms();

    /** Rules file relative to the config directory. */
    @StringSetting(path = "synonyms_path", defaultValue = "")
    String synonymsPath();

    /** Elasticsearch's index-stored synonym sets; not available to a plugin, refused. */
    @StringSetting(path = "synonyms_set", defaultValue = "")
    String synonymsSet();

    @BooleanSetting(path = "expand", defaultValue = true)
    boolean expand();

    @BooleanSetting(path = "lenient", defaultValue = false)
    boolean lenient();

    /** Empty (Solr) or {@code wordnet}. */
    @StringSetting(path = "format", defaultValue = "")
    String format();

    @BooleanSetting(path = "updateable", defaultValue = false)
    boolean updateable();
}
