using North.Core.Versions;

namespace North.Core.Clearing;

/// <summary>What a clear would do on one database: read without changing anything (for -WhatIf and confirmation).</summary>
/// <param name="Target">host:port/database.</param>
/// <param name="Version">The current version found by the version detector.</param>
/// <param name="Tables">The tables to empty, schema-qualified and quoted as SQL needs them, in name order.</param>
/// <param name="Kept">The tables left alone, each as <c>name (why)</c>.</param>
/// <param name="FixturesFile">The fixtures to load afterwards, or null when no version at or below the current one has any.</param>
public sealed record ClearPlan(string Target, MigrationVersion Version, IReadOnlyList<string> Tables, IReadOnlyList<string> Kept, string? FixturesFile);
