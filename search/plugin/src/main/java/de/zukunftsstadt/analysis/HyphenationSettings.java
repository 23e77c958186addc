package de.zukunftsstadt.analysis;

import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.StringSetting;

/** Settings of {@code hyphenation_decompounder}. */
@AnalysisSettings
public interface HyphenationSettings extends CompoundSettings {

    /** FOP XML hyphenation grammar, relative to the config directory. */
    @StringSetting(path = "hyphenation_patterns_path", defaultValue = "")
    String hyphenationPatternsPath();

    @BooleanSetting(path = "no_sub_matches", defaultValue = false)
    boolean noSubMatches();

    @BooleanSetting(path = "no_overlapping_matches", defaultValue = false)
    boolean noOverlappingMatches();
}
