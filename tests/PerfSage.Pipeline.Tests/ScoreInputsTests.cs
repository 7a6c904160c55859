namespace PerfSage.Pipeline.Tests;

public class ScoreInputsTests
{
    [Fact]
    public void The_links_warning_names_the_first_five_and_counts_the_rest()
    {
        string[] links = [.. Enumerable.Range(0, 7).Select(i => $"/m/l{i}")];
        Assert.Equal("did not follow 7 link(s) to folders (a link can lead back to its own parent; name the folder itself to score it): "
            + "/m/l0, /m/l1, /m/l2, /m/l3, /m/l4, and 2 more", ScoreInputs.LinksWarning(links));
    }

    [Fact]
    public void Folders_lists_and_globs_expand_in_order_each_file_once_and_a_missing_one_becomes_an_error_row()
    {
        using var tmp = new ScratchFolder();
        string models = tmp.Sub("m");
        Directory.CreateDirectory(Path.Combine(models, "sub"));
        Directory.CreateDirectory(Path.Combine(models, ".cache"));
        foreach (string file in new[] { "b.tflite", "a.tflite", "notes.md", ".hidden.tflite", "sub/c.tflite", ".cache/d.tflite" })
        {
            File.WriteAllBytes(Path.Combine(models, file), [1, 2, 3]); // never parsed here
        }
        // A list: comments and blank lines skipped, paths relative to the list's folder, a.tflite already named by the folder.
        File.WriteAllText(tmp.Sub("list.txt"), "# models\n\nm/a.tflite\nm/gone.tflite\n");

        IReadOnlyList<ScoreInput> inputs = ScoreInputs.Expand([models, tmp.Sub("list.txt"), Path.Combine(models, "sub", "*")]);

        Assert.Equal(
            [Path.Combine(models, "a.tflite"), Path.Combine(models, "b.tflite"), Path.Combine(models, "sub", "c.tflite"), Path.Combine(tmp.Path, "m/gone.tflite")],
            inputs.Select(i => i.Path).ToArray());
        Assert.All(inputs.Take(3), i => Assert.Null(i.Error));
        Assert.NotNull(inputs[3].Error);
    }

    [Fact]
    public void An_input_that_names_nothing_is_refused()
    {
        using var tmp = new ScratchFolder();
        var e = Assert.Throws<UserInputException>(() => ScoreInputs.Expand([tmp.Path]));
        Assert.Equal($"{tmp.Path}: the folder holds no .tflite files", e.Message);
        string pattern = Path.Combine(tmp.Path, "*.tflite");
        e = Assert.Throws<UserInputException>(() => ScoreInputs.Expand([pattern]));
        Assert.Equal($"{pattern}: no file matches", e.Message);
    }
}
