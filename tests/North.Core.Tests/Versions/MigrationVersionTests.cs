using North.Core.Versions;

namespace North.Core.Tests.Versions;

public class MigrationVersionTests
{
    [Theory]
    [InlineData("1.9", "1.10")]
    [InlineData("1.0", "1.0.1")]
    [InlineData("1.0.1", "1.2")]
    [InlineData("1.2", "1.10")]
    [InlineData("0.1", "1.0")]
    [InlineData("16.12", "17.01")]
    [InlineData("17.01", "17.02")]
    [InlineData("99999999999999999999.1", "100000000000000000000.0")]
    public void OrdersNumericallyComponentByComponent(string lower, string higher)
    {
        var a = MigrationVersion.Parse(lower);
        var b = MigrationVersion.Parse(higher);
        Assert.True(a < b, $"{lower} < {higher}");
        Assert.True(b > a);
        Assert.Equal(-1, Math.Sign(a.CompareTo(b)));
    }

    [Theory]
    [InlineData("17.01", "17.1")]
    [InlineData("1.00", "1.0")]
    [InlineData("007", "7")]
    [InlineData("00000000000000000000000000000000000001.2", "1.2")]
    public void LeadingZerosDoNotCount(string a, string b)
    {
        Assert.Equal(MigrationVersion.Parse(a), MigrationVersion.Parse(b));
        Assert.Equal(MigrationVersion.Parse(a).GetHashCode(), MigrationVersion.Parse(b).GetHashCode());
    }

    [Fact]
    public void KeepsTheSpellingOfTheFolder()
    {
        var v = MigrationVersion.Parse("17.01");
        Assert.Equal("17.01", v.ToString());
        Assert.Equal("17.1", v.Canonical);
    }

    [Fact]
    public void ComponentsBeyondSixtyFourBitsCompareExactly()
    {
        // 2^64 = 18446744073709551616: parsing into a long would overflow silently.
        var big = MigrationVersion.Parse("18446744073709551616");
        var bigger = MigrationVersion.Parse("18446744073709551617");
        Assert.True(big < bigger);
        Assert.True(MigrationVersion.Parse("4294967296") > MigrationVersion.Parse("4294967295"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("1.0-rc", "'0-rc'")]
    [InlineData("1..2", "empty component")]
    [InlineData("1.", "empty component")]
    [InlineData(".1", "empty component")]
    [InlineData("-1", "'-1'")]
    [InlineData("v1.0", "'v1'")]
    [InlineData("1.٣", "digits 0-9")]
    [InlineData("schemas", "'schemas'")]
    public void RejectsWithTheReason(string text, string reasonPart)
    {
        Assert.False(MigrationVersion.TryParse(text, out _, out var reason));
        Assert.Contains(reasonPart, reason);
        var e = Assert.Throws<FormatException>(() => MigrationVersion.Parse(text));
        Assert.Contains(reasonPart, e.Message);
    }
}
