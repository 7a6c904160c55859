using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PerfSage.Model;

/// <summary>JSON settings of the model folder files: snake_case names, indented, no comments.</summary>
internal static class ManifestJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        TypeInfoResolver = ManifestJsonContext.Default,
    };

    /// <summary>The source-generated contract of <typeparamref name="T"/> under <see cref="Options"/> (no reflection: the
    /// native build has none).</summary>
    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
}

/// <summary>The types the model folder files hold, for System.Text.Json's source generator.</summary>
[JsonSerializable(typeof(ModelManifest))]
[JsonSerializable(typeof(ModelMetrics))]
[JsonSerializable(typeof(CheckpointState))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
