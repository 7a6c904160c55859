using System.Text.Json;
using System.Text.Json.Nodes;

namespace PerfSage.Targets.Tests;

/// <summary>A scratch catalog folder built from copies of the default target files (optionally edited).</summary>
internal sealed class TempCatalog : IDisposable
{
    public TempCatalog()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "perfsage-targets-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void CopyFromDefault(params string[] ids) => CopyFromDefault(ids, null);

    public void CopyFromDefault(string id, Action<JsonObject> edit) => CopyFromDefault([id], edit);

    public void CopyFromDefault(string id1, string id2, Action<JsonObject> edit) => CopyFromDefault([id1, id2], edit);

    public void CopyFromDefault(string[] ids, Action<JsonObject>? edit)
    {
        foreach (string id in ids)
        {
            string text = File.ReadAllText(System.IO.Path.Combine(TargetCatalog.DefaultDirectory, id + ".json"));
            JsonObject json = JsonNode.Parse(text)!.AsObject();
            edit?.Invoke(json);
            File.WriteAllText(System.IO.Path.Combine(Path, id + ".json"),
                json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
