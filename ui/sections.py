"""The six sections of the desk, in order: key, Arabic title, keyboard shortcut, and what each one is for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the main window: its navigation title and what it does for the officer."""

    key: str
    title: str
    shortcut: str
    purpose: str

    @property
    def waiting_text(self) -> str:
        """The plain sentence shown in the few moments before the database is open."""
        return f"يُفتح قسم {self.title} حين تجهز قاعدة البيانات… {self.purpose}"


SECTIONS: tuple[Section, ...] = (
    Section(
        key="reception",
        title="الاستقبال",
        shortcut="Ctrl+1",
        purpose=(
            "قائمة تحقق موجّهة تتبع خطوات الاستقبال في سياسة الجمعية خطوةً خطوة، وتسجّل كل خطوة: من أنجزها "
            "ومتى وعلى أي قناة؛ من اختيار القناة والبحث عن المستفيد إلى الإقرار الموقّع وإشعار اللجنة والخدمة."
        ),
    ),
    Section(
        key="cases",
        title="الحالات",
        shortcut="Ctrl+2",
        purpose=(
            "ملف كل مستفيد وحالاته بسجلها الزمني، والبحث برقم الهوية أو الجوال أو رقم الطلب أو الاسم، "
            "والتحقق من الأهلية، والمتابعات قبل أن يسأل المستفيد، والاقتراحات والشكاوى."
        ),
    ),
    Section(
        key="committee",
        title="اللجنة",
        shortcut="Ctrl+3",
        purpose=(
            "الطلبات بانتظار قرار لجنة البحث مرتبةً بالموعد الموعود مع العدّ التنازلي، وتسجيل القرار وسببه "
            "والحاضرين، وخطاب القرار، وإبلاغ المستفيد."
        ),
    ),
    Section(
        key="satisfaction",
        title="رضا المستفيدين",
        shortcut="Ctrl+4",
        purpose=(
            "استبيان قصير بعد الخدمة على شاشة المكتب أو بالهاتف أو بقسيمة مطبوعة، مجهول الهوية افتراضيًا؛ "
            "فتقييم الخدمة حق للمستفيد وأداة للتحسين لا للمحاسبة أو التشهير. والإجراءات التصحيحية للمجلس."
        ),
    ),
    Section(
        key="reports",
        title="التقارير",
        shortcut="Ctrl+5",
        purpose=(
            "لوحة الأرقام لفترة تختارها بالهجري أو الميلادي، وتقرير الفترة PDF و Excel، وحزمة الشواهد "
            "لمجلس الإدارة وللمركز الوطني لتنمية القطاع غير الربحي."
        ),
    ),
    Section(
        key="settings",
        title="الإعدادات",
        shortcut="Ctrl+6",
        purpose=(
            "سياسة الجمعية المعتمدة، ومجلد البيانات، وتسجيل الجهاز لدى خادم المزامنة، والنسخ الاحتياطية."
        ),
    ),
)


def section_index(key: str) -> int:
    """Position of a section in the navigation, by its key."""
    for index, section in enumerate(SECTIONS):
        if section.key == key:
            return index
    raise KeyError(key)
