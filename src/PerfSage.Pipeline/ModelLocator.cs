using PerfSage.Model;

namespace PerfSage.Pipeline;

/// <summary>
/// Finds the model folder a command uses: the one named by <c>--model</c>, or else the default model
/// <c>models/perfsage-default</c> beside the program (the CLI build copies it there) or in the nearest folder
/// above the program or the current folder that holds one (a clone of the repository).
/// </summary>
public static class ModelLocator
{
    /// <summary>The folder name of the default model under <c>models/</c>.</summary>
    public const string DefaultName = "perfsage-default";

    /// <summary>How a user gets a model; appended to every "no model" message.</summary>
    public const string HowToGetOne =
        "train one with 'perfsage dataset build --space kws --count 2000 --all-targets --out data/kws' and "
        + "'perfsage train --data data/kws --out models/" + DefaultName + "', or pass --model DIR";

    /// <summary>The model folder to use; throws <see cref="UserInputException"/> when there is none.</summary>
    public static string Resolve(string? given) =>
        Resolve(given, [AppContext.BaseDirectory, Environment.CurrentDirectory]);

    /// <summary><see cref="Resolve(string?)"/> with the folders to search from given (for tests).</summary>
    internal static string Resolve(string? given, IReadOnlyList<string> searchFrom)
    {
        if (given is not null)
        {
            if (!Directory.Exists(given))
            {
                throw new UserInputException($"{given}: model folder not found; {HowToGetOne}");
            }
            if (!File.Exists(Path.Combine(given, ModelFolder.ManifestFile)))
            {
                throw new UserInputException($"{given}: not a PerfSage model folder (it has no {ModelFolder.ManifestFile}); {HowToGetOne}");
            }
            return given;
        }
        foreach (string start in searchFrom)
        {
            for (string? dir = Path.GetFullPath(start); dir is not null; dir = Path.GetDirectoryName(dir))
            {
                string candidate = Path.Combine(dir, "models", DefaultName);
                if (File.Exists(Path.Combine(candidate, ModelFolder.ManifestFile)))
                {
                    return candidate;
                }
            }
        }
        throw new UserInputException(
            $"no model: models/{DefaultName} is neither beside the program ({AppContext.BaseDirectory.TrimEnd('/')}) nor in a folder above it "
            + $"or above the current folder; {HowToGetOne}");
    }
}
