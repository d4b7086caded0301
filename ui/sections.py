"""The six sections of the desk, in order: key, Arabic title, keyboard shortcut, and what each one is for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the main window: its navigation title and what it does (or will do) for the officer."""

    key: str
    title: str
    shortcut: str
    purpose: str
    built: bool = False

    @property
    def under_construction(self) -> str:
        """The plain sentence shown while the section is not built yet."""
        return f"قسم {self.title} قيد البناء: سيأتي في الإصدار القادم. {self.purpose}"


SECTIONS: tuple[Section, ...] = (
    Section(
        key="reception",
        title="الاستقبال",
        shortcut="Ctrl+1",
        purpose=(
            "سيكون قائمة تحقق موجّهة تتبع خطوات الاستقبال في سياسة الجمعية (المعروضة أدناه) خطوةً خطوة، "
            "وتسجّل كل خطوة: من أنجزها ومتى وعلى أي قناة. يبدأ باختيار القناة ونوع الحالة والبحث عن المستفيد "
            "برقم الهوية أو الجوال أو الاسم مع التنبيه إلى التكرار، ثم ما تنص عليه السياسة من تحقق من البيانات "
            "والمستندات، وإحالة، وإقرار موقّع، وإشعار للجنة، وتسجيل، وتقديم الخدمة."
        ),
    ),
    Section(
        key="cases",
        title="الحالات",
        shortcut="Ctrl+2",
        purpose=(
            "سيعرض ملف كل مستفيد وحالاته بسجلها الزمني (التواصل، الخطوات، المستندات، الإحالات، القرارات، "
            "الخدمات، الاستبيانات)، مع البحث في السجلات وقوائم العمل: بانتظار اللجنة، والمتأخرة، "
            "والمحالة إليّ، والناقصة المستندات."
        ),
    ),
    Section(
        key="committee",
        title="اللجنة",
        shortcut="Ctrl+3",
        purpose=(
            "ستُسجَّل فيه نتيجة الفحص الإداري للمستندات وملاحظات المقابلة الشخصية، وقرار لجنة البحث "
            "(قبول أو رفض أو طلب معلومات) مع سببه، مع عدّ الأيام الباقية من المدة الموعودة والتنبيه إلى "
            "المتأخر، وإشعار المستفيد بخطاب أو رسالة."
        ),
    ),
    Section(
        key="satisfaction",
        title="رضا المستفيدين",
        shortcut="Ctrl+4",
        purpose=(
            "ستُجرى فيه استبيانات قصيرة بعد الخدمة (على شاشة المكتب أو بالهاتف أو مطبوعة برمز QR)، "
            "مجهولة الهوية افتراضيًا؛ فتقييم الخدمة حق للمستفيد وأداة للتحسين لا للمحاسبة أو التشهير. "
            "وتُتابَع فيه الاقتراحات والشكاوى."
        ),
    ),
    Section(
        key="reports",
        title="التقارير",
        shortcut="Ctrl+5",
        purpose=(
            "سيعرض لوحات وتقارير دورية: التواصل حسب القناة، والحالات حسب وضعها، ومدة الوصول إلى القرار "
            "ونسبة ما قُرّر ضمن المدة الموعودة، والرضا، والشكاوى؛ تُصدَّر ملفات PDF و Excel شاهدًا "
            "لمجلس الإدارة وللمركز الوطني لتنمية القطاع غير الربحي."
        ),
    ),
    Section(
        key="settings",
        title="الإعدادات",
        shortcut="Ctrl+6",
        purpose=(
            "يعرض سياسة الجمعية المعتمدة ومجلد البيانات. وسيأتي في الإصدار القادم تعديل السياسة "
            "واستيرادها، والمستخدمون والصلاحيات، والأجهزة، والنسخ الاحتياطي."
        ),
        built=True,
    ),
)


def section_index(key: str) -> int:
    """Position of a section in the navigation, by its key."""
    for index, section in enumerate(SECTIONS):
        if section.key == key:
            return index
    raise KeyError(key)
