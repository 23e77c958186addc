package de.zukunftsstadt.analysis;

import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.StringSetting;

/** Settings of {@code stemmer}: {@code language}, or its older alias {@code name}. */
@AnalysisSettings
public interface StemmerSettings {

    @StringSetting(path = "language", defaultValue = "")
    String language();

    @StringSetting(path = "name", defaultValue = "")
    String name();
}
