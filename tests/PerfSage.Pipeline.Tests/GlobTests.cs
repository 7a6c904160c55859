namespace PerfSage.Pipeline.Tests;

public class GlobTests
{
    [Theory]
    [InlineData("*.tflite", "a.tflite", true)]
    [InlineData("*.tflite", "sub/a.tflite", false)]
    [InlineData("*.tflite", ".hidden.tflite", false)]
    [InlineData("**/*.tflite", "a.tflite", true)]
    [InlineData("**/*.tflite", "x/y/z/a.tflite", true)]
    [InlineData("x/**/a?.tflite", "x/ab.tflite", true)]
    [InlineData("x/**/a?.tflite", "x/q/ab.tflite", true)]
    [InlineData("x/**/a?.tflite", "x/q/abc.tflite", false)]
    [InlineData("m*/*_int8.tflite", "models/kws_int8.tflite", true)]
    [InlineData("m*/*_int8.tflite", "models/kws_int8.tflite.bak", false)]
    [InlineData("a+b(1).tflite*", "a+b(1).tflite", true)]
    public void Glob_patterns_match_path_segments(string pattern, string path, bool match)
    {
        // The leading segments without wildcards become the folder the search starts from.
        Glob glob = Glob.Parse(pattern);
        Assert.Equal(match, glob.IsMatch(Path.GetRelativePath(glob.BaseDirectory, path)));
    }

    [Fact]
    public void A_glob_starts_its_search_below_its_literal_leading_segments()
    {
        Assert.Equal("models/kws", Glob.Parse("models/kws/**/*.tflite").BaseDirectory);
        Assert.Equal("**/*.tflite", Glob.Parse("models/kws/**/*.tflite").Pattern);
        Assert.Equal(".", Glob.Parse("*.tflite").BaseDirectory);
        Assert.Equal("/", Glob.Parse("/*.tflite").BaseDirectory);
    }
}
