using PerfSage.Dataset.Spaces;
using Xunit;

namespace PerfSage.Dataset.Tests;

public class SearchSpacesTests
{
    [Fact]
    public void Registry_lists_the_documented_spaces()
    {
        Assert.Equal(["kws", "vww", "ic", "ad", "mobile", "nb201", "nb201-int8", "ops"], SearchSpaces.Names);
        Assert.Equal(SearchSpaces.Names.Count, SearchSpaces.Names.Distinct().Count());
    }

    [Theory]
    [InlineData("kws")]
    [InlineData("KWS")]
    [InlineData("nb201-int8")]
    public void Get_finds_spaces_case_insensitively(string name)
    {
        Assert.Equal(name.ToLowerInvariant(), SearchSpaces.Get(name).Name);
    }

    [Fact]
    public void Unknown_space_names_the_valid_ones()
    {
        var e = Assert.Throws<SearchSpaceException>(() => SearchSpaces.Get("cifar"));
        Assert.Contains("'cifar'", e.Message);
        foreach (string name in SearchSpaces.Names)
        {
            Assert.Contains(name, e.Message);
        }
    }

    [Fact]
    public void Model_ids_name_space_seed_and_index()
    {
        Assert.Equal("kws-s42-000123", SearchSpaces.Get("kws").Sample(42, 123).ModelId);
        Assert.Equal("ad-s0-1234567", SearchSpaces.Get("ad").Sample(0, 1_234_567).ModelId);
    }

    [Fact]
    public void Negative_index_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SearchSpaces.Get("ad").Sample(1, -1));
    }

    [Fact]
    public void Every_space_documents_knobs_families_and_budget()
    {
        string[] families = ["cortex-m", "ethos-u", "mobile-gpu"];
        foreach (ISearchSpace space in SearchSpaces.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(space.Description));
            Assert.NotEmpty(space.Knobs);
            Assert.Equal(space.Knobs.Count, space.Knobs.Select(k => k.Name).Distinct().Count());
            Assert.All(space.Knobs, k => Assert.False(string.IsNullOrWhiteSpace(k.Description)));
            Assert.NotEmpty(space.IntendedFamilies);
            Assert.All(space.IntendedFamilies, f => Assert.Contains(f, families));
            Assert.True(space.Budget.ArenaBytes > 0 && space.Budget.ConstantBytes > 0);
        }
    }
}
