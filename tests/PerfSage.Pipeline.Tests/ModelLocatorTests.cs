namespace PerfSage.Pipeline.Tests;

public class ModelLocatorTests
{
    [Fact]
    public void The_default_model_is_found_beside_the_program_or_in_a_folder_above()
    {
        using var tmp = new ScratchFolder();
        string deep = Path.Combine(tmp.Path, "a", "b", "c");
        Directory.CreateDirectory(deep);
        var error = Assert.Throws<UserInputException>(() => ModelLocator.Resolve(null, [deep]));
        Assert.StartsWith("no model: models/perfsage-default is neither beside the program", error.Message);
        Assert.Contains("perfsage train --data data/kws --out models/perfsage-default", error.Message);

        string model = Path.Combine(tmp.Path, "a", "models", "perfsage-default");
        Directory.CreateDirectory(model);
        Assert.Throws<UserInputException>(() => ModelLocator.Resolve(null, [deep])); // a folder without manifest.json does not count
        File.WriteAllText(Path.Combine(model, "manifest.json"), "{}");
        Assert.Equal(model, ModelLocator.Resolve(null, [deep]));

        string other = tmp.Sub("other");
        Directory.CreateDirectory(other);
        error = Assert.Throws<UserInputException>(() => ModelLocator.Resolve(other, [deep])); // --model wins, also when it is no model
        Assert.StartsWith($"{other}: not a PerfSage model folder (it has no manifest.json); train one with", error.Message);
        File.WriteAllText(Path.Combine(other, "manifest.json"), "{}");
        Assert.Equal(other, ModelLocator.Resolve(other, [deep]));
        error = Assert.Throws<UserInputException>(() => ModelLocator.Resolve(tmp.Sub("none"), [deep]));
        Assert.StartsWith($"{tmp.Sub("none")}: model folder not found; train one with", error.Message);
    }
}
