using Xunit;

namespace PerfSage.Targets.Tests;

public sealed class TargetAliasesTests
{
    private static TargetCatalog Catalog => TargetCatalog.LoadDefault();

    [Theory]
    // Vela's OPTIONS.md, "Accelerator Configuration": "Default: ethos-u55-256".
    [InlineData("ethos-u55", "ethos-u55-256")]
    // Vela documents no default for the U65: our assumption is the family's widest configuration.
    [InlineData("ethos-u65", "ethos-u65-512")]
    // Vela documents no default for the U85 either: its widest configuration.
    [InlineData("ethos-u85", "ethos-u85-2048")]
    [InlineData("Ethos-U55", "ethos-u55-256")]
    public void A_family_name_resolves_to_its_default_configuration(string name, string expected)
    {
        TargetResolution r = TargetAliases.Resolve(name, Catalog);
        Assert.Equal(expected, r.Id);
        Assert.Equal(name, r.Requested);
        Assert.True(r.IsAlias);
    }

    [Fact]
    public void The_stderr_line_names_the_family_the_configuration_and_where_it_comes_from()
    {
        Assert.Equal("target ethos-u55 is ethos-u55-256 (Vela's default configuration)",
            TargetAliases.Describe(TargetAliases.Resolve("ethos-u55", Catalog)));
        Assert.Equal("target ethos-u65 is ethos-u65-512 (the widest configuration; our assumption, Vela documents no default for the U65)",
            TargetAliases.Describe(TargetAliases.Resolve("ethos-u65", Catalog)));
    }

    [Theory]
    [InlineData("ethos-u55-256")]
    [InlineData("cortex-m7")]
    [InlineData("ETHOS-U55-64")]
    [InlineData("nucleo-measured-board")]
    [InlineData("bogus")]
    public void Any_other_name_passes_through_unchanged(string name)
    {
        TargetResolution r = TargetAliases.Resolve(name, Catalog);
        Assert.Equal(name, r.Id);
        Assert.Equal(name, r.Requested);
        Assert.False(r.IsAlias);
        Assert.Null(r.Reason);
    }

    [Fact]
    public void Cortex_m_is_refused_with_the_cores_of_the_catalog()
    {
        TargetException e = Assert.Throws<TargetException>(() => TargetAliases.Resolve("cortex-m", Catalog));
        Assert.Equal("target 'cortex-m' is a family, not a target: name one of cortex-m0plus, cortex-m3, cortex-m33, cortex-m4, cortex-m55, cortex-m7, cortex-m85", e.Message);
        Assert.Equal(["cortex-m0plus", "cortex-m3", "cortex-m33", "cortex-m4", "cortex-m55", "cortex-m7", "cortex-m85"], e.ValidIds);
    }

    [Fact]
    public void Ethos_u_is_refused_with_the_configurations_and_the_family_names()
    {
        TargetException e = Assert.Throws<TargetException>(() => TargetAliases.Resolve("ethos-u", Catalog));
        Assert.Equal("target 'ethos-u' is a family, not a target: name one of ethos-u55-128, ethos-u55-256, ethos-u55-32, ethos-u55-64, "
            + "ethos-u65-256, ethos-u65-512, ethos-u85-1024, ethos-u85-128, ethos-u85-2048, ethos-u85-256, ethos-u85-512 "
            + "(or a family name: ethos-u55, ethos-u65, ethos-u85)", e.Message);
    }

    [Fact]
    public void Ethos_u85_resolves_to_the_2048_configuration_of_the_catalog()
    {
        TargetResolution r = TargetAliases.Resolve("ethos-u85", Catalog);
        Assert.Equal("ethos-u85-2048", r.Id);
        Assert.IsType<EthosUSpec>(Catalog.Get(r.Id));
        Assert.Equal("target ethos-u85 is ethos-u85-2048 (the widest configuration; our assumption, Vela documents no default for the U85)",
            TargetAliases.Describe(r));
    }

    [Fact]
    public void A_family_with_no_configuration_in_the_catalog_says_it_is_not_there_yet()
    {
        using var temp = new TempCatalog();
        temp.CopyFromDefault("cortex-m55", "ethos-u55-128", "ethos-u65-512");
        TargetException e = Assert.Throws<TargetException>(() => TargetAliases.Resolve("ethos-u85", TargetCatalog.Load(temp.Path)));
        Assert.Equal("target 'ethos-u85': the Ethos-U85 family is not in the catalog yet (no ethos-u85-* target); Ethos-U targets: "
            + "ethos-u55-128, ethos-u65-512", e.Message);
    }

    [Fact]
    public void A_family_whose_default_is_missing_lists_the_configurations_it_has()
    {
        using var temp = new TempCatalog();
        temp.CopyFromDefault("cortex-m55", "ethos-u55-64", "ethos-u55-128");
        TargetException e = Assert.Throws<TargetException>(() => TargetAliases.Resolve("ethos-u55", TargetCatalog.Load(temp.Path)));
        Assert.Equal("target 'ethos-u55': the Ethos-U55 family stands for ethos-u55-256 (Vela's default configuration), which is not in the catalog; "
            + "its configurations in the catalog: ethos-u55-128, ethos-u55-64", e.Message);
    }
}
