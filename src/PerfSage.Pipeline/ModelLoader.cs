using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Pipeline;

/// <summary>Reads a model file and builds its graph, turning every failure into a domain exception that
/// names the file (the CLI maps it to exit code 2).</summary>
public static class ModelLoader
{
    /// <summary>The model in <paramref name="path"/> and its graph; throws a <see cref="PerfSageException"/> naming the file.</summary>
    public static (TfliteModel Model, OpGraph Graph) Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UserInputException($"{path}: is a directory, expected a .tflite file");
        }
        // ReadFile refuses what is missing, not a regular file (a FIFO, /dev/zero) or over the size limit,
        // and checks the header before reading the rest.
        TfliteModel model = TfliteReader.ReadFile(path);
        if (model.Subgraphs.Count == 0)
        {
            throw new UserInputException($"{path}: the model has no subgraph, so there is nothing to analyse");
        }
        try
        {
            return (model, OpGraph.FromModel(model));
        }
        catch (OpGraphException e) when (!e.Message.StartsWith(path + ":", StringComparison.Ordinal))
        {
            throw new UserInputException($"{path}: {e.Message}", e);
        }
    }
}
