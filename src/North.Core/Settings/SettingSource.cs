namespace North.Core.Settings;

/// <summary>Where a setting's value came from, strongest first.</summary>
public enum SettingSourceKind
{
    Parameter,
    NorthEnvironment,
    SeptentrionEnvironment,
    /// <summary>libpq's variables (<c>PGHOST</c>, <c>PGPORT</c>, <c>PGDATABASE</c>, <c>PGUSER</c>, <c>PGPASSWORD</c>).</summary>
    PgEnvironment,
    NorthJson,
    SeptentrionIni,
    Default,
}

/// <summary>
/// The origin of one setting value: the kind of source and a description a DBA can follow
/// (<c>parameter -TargetVersion</c>, <c>environment variable NORTH_TARGET_VERSION</c>,
/// <c>sql/north.json line 4</c>). Used in error messages and in <see cref="NorthSettings.Sources"/>.
/// </summary>
public sealed record SettingSource(SettingSourceKind Kind, string Description)
{
    /// <summary>The built-in default.</summary>
    public static readonly SettingSource Default = new(SettingSourceKind.Default, "default");

    public override string ToString() => Description;
}
