using System.Reflection;
using Xunit;

namespace PerfSage.Model.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void No_TorchSharp_type_crosses_the_public_api()
    {
        Assembly model = typeof(Trainer).Assembly;
        Assembly torch = typeof(TorchSharp.torch).Assembly;
        var offenders = new List<string>();
        foreach (Type type in model.GetExportedTypes())
        {
            Check(type.BaseType, $"{type} base type");
            foreach (Type i in type.GetInterfaces())
            {
                Check(i, $"{type} interface");
            }
            const BindingFlags Visible = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (MemberInfo m in type.GetMembers(Visible))
            {
                switch (m)
                {
                    case MethodBase method:
                        foreach (ParameterInfo p in method.GetParameters())
                        {
                            Check(p.ParameterType, $"{type}.{m.Name}({p.Name})");
                        }
                        if (method is MethodInfo mi)
                        {
                            Check(mi.ReturnType, $"{type}.{m.Name} return");
                        }
                        break;
                    case PropertyInfo p:
                        Check(p.PropertyType, $"{type}.{p.Name}");
                        break;
                    case FieldInfo f:
                        Check(f.FieldType, $"{type}.{f.Name}");
                        break;
                }
            }
        }
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
        // The check can fail: an internal network type is a TorchSharp module.
        Assert.True(typeof(Nn.PerfSageNet).IsSubclassOf(typeof(TorchSharp.torch.nn.Module)));

        void Check(Type? t, string where)
        {
            if (t is null)
            {
                return;
            }
            if (t.HasElementType)
            {
                Check(t.GetElementType(), where);
                return;
            }
            if (t.Assembly == torch)
            {
                offenders.Add($"{where}: {t}");
            }
            if (t.IsGenericType)
            {
                foreach (Type a in t.GetGenericArguments())
                {
                    Check(a, where);
                }
            }
        }
    }
}
