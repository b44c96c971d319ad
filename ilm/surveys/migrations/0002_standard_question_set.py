"""Reference data: the standard question set "ILM worker satisfaction survey" v1, in en, th, my, km, ne.

A copy, not an import: migrations must not depend on application code that changes later. `load` is
also what `ilm.surveys.demo` calls when a flushed test database lost the set. New sets (or a v2) arrive
with `manage.py load_question_set <file.json>` in the same shape as STANDARD_SET.
"""

from django.db import migrations

STANDARD_SET = {
    "code": "ilm-worker-satisfaction",
    "version": 1,
    "title": {
        "en": "ILM worker satisfaction survey",
        "th": "แบบสำรวจความพึงพอใจของแรงงาน ILM",
        "my": "ILM အလုပ်သမား စိတ်ကျေနပ်မှု စစ်တမ်း",
        "km": "ការស្ទង់មតិអំពីការពេញចិត្តរបស់កម្មករ ILM",
        "ne": "ILM कामदार सन्तुष्टि सर्वेक्षण",
    },
    "scale_labels": {
        "en": ["Very dissatisfied", "Dissatisfied", "Neither", "Satisfied", "Very satisfied"],
        "th": ["ไม่พอใจมาก", "ไม่พอใจ", "เฉยๆ", "พอใจ", "พอใจมาก"],
        "my": ["လုံးဝ မကျေနပ်ပါ", "မကျေနပ်ပါ", "ကြားနေ", "ကျေနပ်သည်", "အလွန် ကျေနပ်သည်"],
        "km": ["មិនពេញចិត្តខ្លាំង", "មិនពេញចិត្ត", "ធម្មតា", "ពេញចិត្ត", "ពេញចិត្តខ្លាំង"],
        "ne": ["धेरै असन्तुष्ट", "असन्तुष्ट", "न सन्तुष्ट न असन्तुष्ट", "सन्तुष्ट", "धेरै सन्तुष्ट"],
    },
    "questions": [
        {
            "code": "wages_on_time",
            "kind": "likert",
            "counts_for_satisfaction": True,
            "text": {
                "en": "How satisfied are you that your wages are paid in full and on time?",
                "th": "คุณพอใจแค่ไหนที่ได้รับค่าจ้างครบถ้วนและตรงเวลา",
                "my": "သင့်လုပ်ခကို အပြည့်အဝနှင့် အချိန်မှန် ပေးချေခြင်းအပေါ် သင် မည်မျှ ကျေနပ်ပါသလဲ။",
                "km": "តើអ្នកពេញចិត្តកម្រិតណា ដែលប្រាក់ឈ្នួលរបស់អ្នកត្រូវបានបើកគ្រប់ចំនួន និងទាន់ពេលវេលា?",
                "ne": "तपाईंको तलब पूरा र समयमै भुक्तानी हुनेमा तपाईं कत्तिको सन्तुष्ट हुनुहुन्छ?",
            },
        },
        {
            "code": "working_hours",
            "kind": "likert",
            "counts_for_satisfaction": True,
            "text": {
                "en": "How satisfied are you with your working hours and overtime?",
                "th": "คุณพอใจกับชั่วโมงทำงานและการทำงานล่วงเวลาของคุณแค่ไหน",
                "my": "သင့်အလုပ်ချိန်နှင့် အချိန်ပိုအလုပ်အပေါ် သင် မည်မျှ ကျေနပ်ပါသလဲ။",
                "km": "តើអ្នកពេញចិត្តកម្រិតណាចំពោះម៉ោងធ្វើការ និងការងារបន្ថែមម៉ោងរបស់អ្នក?",
                "ne": "तपाईंको कामको समय र ओभरटाइमसँग तपाईं कत्तिको सन्तुष्ट हुनुहुन्छ?",
            },
        },
        {
            "code": "dormitory",
            "kind": "likert",
            "counts_for_satisfaction": True,
            "required": False,
            "text": {
                "en": "If you live in the employer's dormitory: how satisfied are you with it?",
                "th": "หากคุณพักในหอพักของนายจ้าง คุณพอใจกับหอพักแค่ไหน",
                "my": "အလုပ်ရှင်၏ အဆောင်တွင် နေထိုင်ပါက ထိုအဆောင်အပေါ် သင် မည်မျှ ကျေနပ်ပါသလဲ။",
                "km": "ប្រសិនបើអ្នករស់នៅក្នុងអន្តេវាសិកដ្ឋានរបស់និយោជក តើអ្នកពេញចិត្តនឹងវាកម្រិតណា?",
                "ne": "यदि तपाईं रोजगारदाताको होस्टलमा बस्नुहुन्छ भने, त्यसमा तपाईं कत्तिको सन्तुष्ट हुनुहुन्छ?",
            },
        },
        {
            "code": "safety",
            "kind": "likert",
            "counts_for_satisfaction": True,
            "text": {
                "en": "How satisfied are you with health and safety at your workplace?",
                "th": "คุณพอใจกับความปลอดภัยและอาชีวอนามัยในที่ทำงานของคุณแค่ไหน",
                "my": "သင့်အလုပ်ခွင်ရှိ ကျန်းမာရေးနှင့် ဘေးကင်းလုံခြုံရေးအပေါ် သင် မည်မျှ ကျေနပ်ပါသလဲ။",
                "km": "តើអ្នកពេញចិត្តកម្រិតណាចំពោះសុខភាព និងសុវត្ថិភាពនៅកន្លែងធ្វើការរបស់អ្នក?",
                "ne": "तपाईंको कार्यस्थलको स्वास्थ्य र सुरक्षासँग तपाईं कत्तिको सन्तुष्ट हुनुहुन्छ?",
            },
        },
        {
            "code": "grievance_handling",
            "kind": "likert",
            "counts_for_satisfaction": True,
            "text": {
                "en": "How satisfied are you with how complaints and grievances are handled?",
                "th": "คุณพอใจกับวิธีจัดการข้อร้องเรียนแค่ไหน",
                "my": "တိုင်ကြားချက်များနှင့် အငြင်းပွားမှုများကို ကိုင်တွယ်ဖြေရှင်းပုံအပေါ် သင် မည်မျှ ကျေနပ်ပါသလဲ။",
                "km": "តើអ្នកពេញចិត្តកម្រិតណាចំពោះរបៀបដោះស្រាយពាក្យបណ្តឹង និងបណ្តឹងតវ៉ា?",
                "ne": "उजुरी र गुनासोहरू सम्बोधन गर्ने तरिकासँग तपाईं कत्तिको सन्तुष्ट हुनुहुन्छ?",
            },
        },
        {
            "code": "supervisors",
            "kind": "likert",
            "counts_for_satisfaction": True,
            "text": {
                "en": "How satisfied are you with how supervisors treat you?",
                "th": "คุณพอใจกับการปฏิบัติของหัวหน้างานต่อคุณแค่ไหน",
                "my": "ကြီးကြပ်သူများက သင့်အပေါ် ဆက်ဆံပုံကို သင် မည်မျှ ကျေနပ်ပါသလဲ။",
                "km": "តើអ្នកពេញចិត្តកម្រិតណាចំពោះរបៀបដែលអ្នកគ្រប់គ្រងប្រព្រឹត្តចំពោះអ្នក?",
                "ne": "सुपरभाइजरहरूले तपाईंलाई गर्ने व्यवहारसँग तपाईं कत्तिको सन्तुष्ट हुनुहुन्छ?",
            },
        },
        {
            "code": "recommend",
            "kind": "likert",
            "counts_for_satisfaction": True,
            "text": {
                "en": "Would you recommend this workplace to a friend or relative? (1 = certainly not, 5 = certainly)",
                "th": "คุณจะแนะนำที่ทำงานนี้ให้เพื่อนหรือญาติหรือไม่ (1 = ไม่แนะนำแน่นอน, 5 = แนะนำแน่นอน)",
                "my": "ဤအလုပ်ခွင်ကို သူငယ်ချင်း သို့မဟုတ် ဆွေမျိုးတစ်ဦးအား အကြံပြုမည်လား။ (1 = လုံးဝ မပြုပါ၊ 5 = သေချာပေါက် ပြုမည်)",
                "km": "តើអ្នកនឹងណែនាំកន្លែងធ្វើការនេះដល់មិត្តភក្តិ ឬសាច់ញាតិដែរឬទេ? (1 = ប្រាកដជាមិនណែនាំ, 5 = ប្រាកដជាណែនាំ)",
                "ne": "के तपाईं यो कार्यस्थल साथी वा आफन्तलाई सिफारिस गर्नुहुन्छ? (1 = पक्कै गर्दिनँ, 5 = पक्कै गर्छु)",
            },
        },
        {
            "code": "knows_channel",
            "kind": "choice",
            "text": {
                "en": "Do you know how to contact an independent worker voice channel (hotline, LINE, Viber...)?",
                "th": "คุณรู้วิธีติดต่อช่องทางรับฟังเสียงแรงงานที่เป็นอิสระ (สายด่วน, LINE, Viber...) หรือไม่",
                "my": "လွတ်လပ်သော အလုပ်သမားအသံ ဆက်သွယ်ရေးလမ်းကြောင်း (ဟော့လိုင်း၊ LINE၊ Viber...) ကို ဆက်သွယ်နည်း သိပါသလား။",
                "km": "តើអ្នកដឹងពីរបៀបទាក់ទងបណ្តាញសំឡេងកម្មករឯករាជ្យ (ខ្សែទូរស័ព្ទជំនួយ, LINE, Viber...) ដែរឬទេ?",
                "ne": "के तपाईंलाई स्वतन्त्र कामदार आवाज माध्यम (हटलाइन, LINE, Viber...) मा सम्पर्क गर्ने तरिका थाहा छ?",
            },
            "choices": [
                {"code": "yes", "label": {"en": "Yes", "th": "รู้", "my": "သိပါသည်", "km": "ដឹង", "ne": "थाहा छ"}},
                {"code": "no", "label": {"en": "No", "th": "ไม่รู้", "my": "မသိပါ", "km": "មិនដឹង", "ne": "थाहा छैन"}},
            ],
        },
        {
            "code": "fees_paid",
            "kind": "choice",
            "text": {
                "en": "Did you pay any fee to get this job?",
                "th": "คุณเคยจ่ายค่าธรรมเนียมใดๆ เพื่อให้ได้งานนี้หรือไม่",
                "my": "ဤအလုပ်ရရန် မည်သည့်အခကြေးငွေကိုမဆို ပေးခဲ့ရပါသလား။",
                "km": "តើអ្នកបានបង់ថ្លៃណាមួយដើម្បីទទួលបានការងារនេះដែរឬទេ?",
                "ne": "के तपाईंले यो काम पाउन कुनै शुल्क तिर्नुभयो?",
            },
            "choices": [
                {"code": "no", "label": {"en": "No", "th": "ไม่เคย", "my": "မပေးခဲ့ရပါ", "km": "ទេ", "ne": "तिरिनँ"}},
                {
                    "code": "yes",
                    "label": {"en": "Yes", "th": "เคย", "my": "ပေးခဲ့ရပါသည်", "km": "បាទ/ចាស", "ne": "तिरेँ"},
                },
                {
                    "code": "unsure",
                    "label": {
                        "en": "I am not sure",
                        "th": "ไม่แน่ใจ",
                        "my": "မသေချာပါ",
                        "km": "មិនប្រាកដ",
                        "ne": "पक्का छैन",
                    },
                },
            ],
        },
        {
            "code": "feels_free_to_leave",
            "kind": "choice",
            "text": {
                "en": "Could you leave this job if you wanted to?",
                "th": "หากคุณต้องการ คุณสามารถลาออกจากงานนี้ได้หรือไม่",
                "my": "သင် ဆန္ဒရှိပါက ဤအလုပ်မှ ထွက်ခွာနိုင်ပါသလား။",
                "km": "តើអ្នកអាចឈប់ពីការងារនេះបានទេ ប្រសិនបើអ្នកចង់?",
                "ne": "यदि तपाईं चाहनुहुन्छ भने के यो काम छोड्न सक्नुहुन्छ?",
            },
            "choices": [
                {"code": "yes", "label": {"en": "Yes", "th": "ได้", "my": "ထွက်နိုင်ပါသည်", "km": "បាន", "ne": "सक्छु"}},
                {"code": "no", "label": {"en": "No", "th": "ไม่ได้", "my": "မထွက်နိုင်ပါ", "km": "មិនបាន", "ne": "सक्दिनँ"}},
                {
                    "code": "unsure",
                    "label": {
                        "en": "I am not sure",
                        "th": "ไม่แน่ใจ",
                        "my": "မသေချာပါ",
                        "km": "មិនប្រាកដ",
                        "ne": "पक्का छैन",
                    },
                },
            ],
        },
    ],
}


def load_set(apps, spec):
    QuestionSet = apps.get_model("surveys", "QuestionSet")
    Question = apps.get_model("surveys", "Question")
    Choice = apps.get_model("surveys", "Choice")
    if QuestionSet.objects.filter(code=spec["code"], version=spec["version"]).exists():
        return
    question_set = QuestionSet.objects.create(
        code=spec["code"], version=spec["version"], title=spec["title"], scale_labels=spec["scale_labels"]
    )
    for position, item in enumerate(spec["questions"], start=1):
        question = Question.objects.create(
            question_set=question_set,
            position=position,
            code=item["code"],
            kind=item["kind"],
            text=item["text"],
            required=item.get("required", True),
            counts_for_satisfaction=item.get("counts_for_satisfaction", False),
        )
        for number, choice in enumerate(item.get("choices", []), start=1):
            Choice.objects.create(question=question, position=number, code=choice["code"], label=choice["label"])


def load(apps, schema_editor):
    load_set(apps, STANDARD_SET)


def unload(apps, schema_editor):
    QuestionSet = apps.get_model("surveys", "QuestionSet")
    QuestionSet.objects.filter(code=STANDARD_SET["code"], version=STANDARD_SET["version"], surveys=None).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
